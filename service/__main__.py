"""`python -m service ...` runs the command-line interface."""

from service.cli import main

if __name__ == "__main__":
    main()
