#!/usr/bin/python3
"""Prints a TCP port on 127.0.0.1 that was free a moment ago.

For servers that cannot listen on port 0 and report the port they got
(websocketd, nginx). The port is released before the server binds it, so
another program may take it in between; the wrappers then fail to start and
say so.
"""
import socket

with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
    s.bind(("127.0.0.1", 0))
    print(s.getsockname()[1])
