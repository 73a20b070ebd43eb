#!/usr/bin/env python3
"""Runs a command under a watchdog and reports how it ended and what it cost.

    run_measured.py --report FILE --deadline S [--interrupt-after S]
                    [--rss-limit-mib M] -- COMMAND [ARGS...]

The command inherits stdin, stdout and stderr. It is killed (SIGKILL) when it
runs longer than --deadline seconds, or when its resident set grows beyond
--rss-limit-mib (a safety valve that keeps a runaway process from taking the
machine's memory). With --interrupt-after it gets one SIGINT after that many
seconds, as from a user's Ctrl-C. FILE receives one "key value" line each:

  exit_code    the exit status, or -1 when it ended by a signal
  signal       the signal that ended it, or 0
  wall         seconds from start to end
  cpu          user + system CPU seconds of the command
  maxrss_kib   its peak resident set (getrusage of that child)
  watchdog     1 when it was killed for running past the deadline
  rss_valve    1 when it was killed for growing past --rss-limit-mib
  interrupted  1 when it was sent the SIGINT
"""

import argparse
import os
import signal
import sys
import time


def resident_kib(pid):
    try:
        with open("/proc/%d/status" % pid) as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--report", required=True)
    parser.add_argument("--deadline", type=float, required=True)
    parser.add_argument("--interrupt-after", type=float)
    parser.add_argument("--rss-limit-mib", type=float, default=512)
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("no command given")

    start = time.monotonic()
    pid = os.fork()
    if pid == 0:
        try:
            os.execvp(command[0], command)
        finally:
            os._exit(127)

    # Stopped itself (the test script ends early): take the command along.
    def stop(signum, frame):
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        sys.exit(128 + signum)
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGHUP, stop)

    watchdog = rss_valve = interrupted = False
    while True:
        done, status, usage = os.wait4(pid, os.WNOHANG)
        if done:
            break
        elapsed = time.monotonic() - start
        if elapsed > args.deadline and not watchdog:
            watchdog = True
            os.kill(pid, signal.SIGKILL)
        elif resident_kib(pid) > args.rss_limit_mib * 1024 and not rss_valve:
            rss_valve = True
            os.kill(pid, signal.SIGKILL)
        elif (args.interrupt_after is not None and elapsed > args.interrupt_after
              and not interrupted):
            interrupted = True
            os.kill(pid, signal.SIGINT)
        time.sleep(0.02)
    wall = time.monotonic() - start

    if os.WIFSIGNALED(status):
        exit_code, killed_by = -1, os.WTERMSIG(status)
    else:
        exit_code, killed_by = os.WEXITSTATUS(status), 0
    with open(args.report, "w") as report:
        for key, value in (("exit_code", exit_code), ("signal", killed_by),
                           ("wall", "%.2f" % wall),
                           ("cpu", "%.2f" % (usage.ru_utime + usage.ru_stime)),
                           ("maxrss_kib", usage.ru_maxrss),
                           ("watchdog", int(watchdog)), ("rss_valve", int(rss_valve)),
                           ("interrupted", int(interrupted))):
            report.write("%s %s\n" % (key, value))
    return 0


if __name__ == "__main__":
    sys.exit(main())
