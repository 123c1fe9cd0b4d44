"""`python -m koonto.reporting` starts the reporting service."""

from koonto.reporting.main import create_runtime
from koonto.shared.runtime import serve

if __name__ == "__main__":
    serve(create_runtime)
