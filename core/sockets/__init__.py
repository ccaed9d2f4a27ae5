"""What every websocket shares: reading frames (frames.py) and the consumer base that
queues and sends their answers (consumer.py). Who may hold a socket open is accounts'
business (accounts.sockets)."""

from core.sockets.consumer import JsonSocket, run_blocking
from core.sockets.frames import MAX_FRAME_BYTES, FrameError, TokenBucket, frame_read

__all__ = [
    "MAX_FRAME_BYTES",
    "FrameError",
    "JsonSocket",
    "TokenBucket",
    "frame_read",
    "run_blocking",
]
