"""The request pipeline of every national listener, one small ASGI middleware per module.

Entry order (outermost first), as `simulators.core.app.CHAIN` lists it:
request id -> journal finalise -> journal capture -> TLS peer identity -> fault injection -> guard -> route.
`finalise` is placed outside everything else so that its `finally` runs last: the record it writes
holds the operation, correlation, findings and the response exactly as they went on the wire.
"""
