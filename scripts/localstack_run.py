"""Starts LocalStack in host mode (no Docker) bound to the host of GATEWAY_LISTEN only.

scripts/emulator.sh runs this with the LocalStack venv's python instead of
`python -m localstack.runtime.main`. LocalStack's default (twisted) gateway ignores the host part
of GATEWAY_LISTEN and listens on every interface (its TCP4ServerEndpoint is created without an
interface); the hypercorn gateway binds the host but ignores SIGTERM for about a minute. This
keeps the twisted gateway, which stops promptly on SIGTERM, and hands its endpoints the host.
"""

from localstack import config
from localstack.runtime.server import twisted as gateway
from twisted.internet import endpoints

HOST = config.GATEWAY_LISTEN[0].host


class _LoopbackEndpoints:
    """The twisted `endpoints` module, except that IPv4 server endpoints bind HOST."""

    def __getattr__(self, name):
        return getattr(endpoints, name)

    @staticmethod
    def TCP4ServerEndpoint(reactor, port, backlog=50, interface=""):  # noqa: N802 (twisted's name)
        return endpoints.TCP4ServerEndpoint(reactor, port, backlog, interface or HOST)


gateway.endpoints = _LoopbackEndpoints()

if __name__ == "__main__":
    from localstack.runtime.main import main

    main()
