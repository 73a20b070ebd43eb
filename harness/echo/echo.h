/*
 * `wsconform echo`: the reference echo server.
 *
 * A strict RFC 6455 server: it echoes every text and binary message as one
 * unmasked frame of the same type, answers each Ping with a Pong carrying the
 * same payload, answers a Close with the same code and then closes TCP itself
 * (§7.1.1), and fails the connection with the close code of the violated rule
 * on any protocol error. It offers no subprotocol and no extension.
 *
 * `--break LIST` turns it into a deliberately broken server, to prove that a
 * conformance suite catches each kind of breakage.
 */
#ifndef WSCONFORM_ECHO_H
#define WSCONFORM_ECHO_H

/*
 * argv[0] is "echo". Prints "listening on ws://HOST:PORT/" (wss:// with TLS)
 * on stdout once it accepts connections and runs until SIGINT or SIGTERM.
 * Returns the exit status: 0 after a signal, 1 if it cannot listen or run,
 * 2 for bad arguments or an unusable certificate or key.
 */
int cmd_echo(int argc, char **argv);

#endif
