"""`python -m koonto.notify` starts the notify service."""

from koonto.notify.main import create_runtime
from koonto.shared.runtime import serve

if __name__ == "__main__":
    serve(create_runtime)
