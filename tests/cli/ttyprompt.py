#!/usr/bin/env python3
# SPDX-License-Identifier: MPL-2.0
"""Run a command on a new pseudo-terminal, wait for its prompt, then either
send it a signal or end its input, and print what the terminal's echo flag
was at the prompt and after the command had gone (or stopped).

   ttyprompt.py SIGNAL|eof|tstp:ANSWER|answer:ANSWER|answers:A/B/... PROMPT_TEXT COMMAND...
(answer:ANSWER types the answer at the prompt, as a user would;
answers:A/B/... types A at the first prompt, B at the next one that shows
PROMPT_TEXT, and so on.)
Prints 'at-prompt echo=0|1' and 'after echo=0|1', what the terminal
showed (each line after '| '), then 'status N'."""
import os, pty, signal, sys, termios, time

how, want = sys.argv[1], sys.argv[2].encode()
pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[3], sys.argv[3:])
seen, deadline = b"", time.time() + 20
while want not in seen and time.time() < deadline:
    try:
        seen += os.read(fd, 4096)
    except OSError:
        break
if want not in seen:
    print("no prompt: %r" % seen[-300:])
    sys.exit(1)
time.sleep(0.2)
echo = lambda: int(bool(termios.tcgetattr(fd)[3] & termios.ECHO))
print("at-prompt echo=%d" % echo())
if how == "eof":
    os.write(fd, b"\x04")
elif how.startswith("answer:"):
    os.write(fd, how[7:].encode() + b"\n")
elif how.startswith("answers:"):
    for i, answer in enumerate(how[8:].split("/")):
        while seen.count(want) < i + 1 and time.time() < deadline:
            try:
                seen += os.read(fd, 4096)
            except OSError:
                break
        if seen.count(want) < i + 1:
            print("no prompt %d: %r" % (i + 1, seen[-300:]))
            break
        time.sleep(0.1)
        os.write(fd, answer.encode() + b"\n")
elif how.startswith("tstp:"):
    # Ctrl-Z, then fg, then the answer typed: the prompt goes on.  (On this
    # terminal the command leads an orphaned process group, where the
    # kernel drops the stop itself; the handler runs all the same.)
    os.kill(pid, signal.SIGTSTP)
    time.sleep(0.3)
    os.kill(pid, signal.SIGCONT)
    time.sleep(0.3)
    print("continued echo=%d" % echo())
    os.write(fd, how[5:].encode() + b"\n")
else:
    os.kill(pid, getattr(signal, how))
_, status = os.waitpid(pid, 0)
try:
    while True:
        more = os.read(fd, 4096)
        if not more:
            break
        seen += more
except OSError:
    pass
print("after echo=%d" % echo())
# what the terminal showed, each line marked so that it is told apart
for line in seen.decode(errors="replace").replace("\r", "").splitlines():
    print("| " + line)
print("status %s" % (("signal %d" % os.WTERMSIG(status)) if os.WIFSIGNALED(status)
                     else "exit %d" % os.WEXITSTATUS(status)))
