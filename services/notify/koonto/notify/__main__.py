"""`python -m koonto.notify` starts the notify service."""

from koonto.notify.main import spec_and_settings
from koonto.shared.runtime import serve

if __name__ == "__main__":
    serve(spec_and_settings)
