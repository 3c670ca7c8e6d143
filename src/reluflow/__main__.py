from .cli import main

if __name__ == "__main__":  # a worker process re-imports the main module: only the real run starts the CLI
    main()
