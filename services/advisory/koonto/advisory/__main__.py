"""`python -m koonto.advisory` starts the advisory service."""

from koonto.advisory.main import create_runtime
from koonto.shared.runtime import serve

if __name__ == "__main__":
    serve(create_runtime)
