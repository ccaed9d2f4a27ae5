"""Chat websockets: a shared base (limits, dispatch, hang-ups) and one consumer per side."""
