"""`python -m koonto.intake` starts the intake service."""

from koonto.intake.main import create_runtime
from koonto.shared.runtime import serve

if __name__ == "__main__":
    serve(create_runtime)
