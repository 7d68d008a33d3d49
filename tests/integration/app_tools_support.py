"""Runs the application tools of the binary (`tributary consume`, `tributary command`) as a user does: a
subprocess with pipes, its output lines collected by reader threads, waits that poll with a deadline."""
import subprocess
import threading

from hub import BINARY, DEADLINE, sanitizer_env, wait_for

DEMO_KAFKA_USER = ("hono", "hono-secret")  # `serve --demo` adds it to kafka.sasl-users


def sasl_args(hub, user=DEMO_KAFKA_USER):
    """The getting-started guide's connection: the SASL listener with SCRAM-SHA-512."""
    return ["--bootstrap", hub.addresses["kafka-sasl"], "--sasl-username", user[0], "--sasl-password", user[1]]


class Tool:
    """One run of `tributary <args>`; stdout and stderr lines are kept as they arrive."""

    def __init__(self, *args):
        self.args = [BINARY, *args]
        self.proc = subprocess.Popen(self.args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True, env=sanitizer_env())
        self.out, self.err = [], []
        self._lock = threading.Lock()
        self._readers = [threading.Thread(target=self._read, args=(s, l), daemon=True)
                         for s, l in ((self.proc.stdout, self.out), (self.proc.stderr, self.err))]
        for r in self._readers:
            r.start()

    def _read(self, stream, lines):
        for line in stream:
            with self._lock:
                lines.append(line.rstrip("\n"))

    def lines(self, stream="out"):
        with self._lock:
            return list(self.out if stream == "out" else self.err)

    def wait_line(self, predicate, what, stream="out"):
        """The first line of the stream for which predicate holds (waiting for it)."""
        def found():
            for line in self.lines(stream):
                if predicate(line):
                    return line
            if self.proc.poll() is not None:
                for r in self._readers:
                    r.join(timeout=DEADLINE)
                matching = [l for l in self.lines(stream) if predicate(l)]
                if matching:
                    return matching[0]
                raise AssertionError(f"{self.args} exited with {self.proc.returncode} before {what}:\n"
                                     + "\n".join(self.lines("out") + self.lines("err")))
            return None
        return wait_for(found, what)

    def type(self, *lines):
        """Answers prompts: writes the lines to stdin."""
        self.proc.stdin.write("".join(line + "\n" for line in lines))
        self.proc.stdin.flush()

    def finish(self, close_stdin=True):
        """Waits for the exit (after closing stdin); returns the exit code, all output read."""
        if close_stdin:
            self.proc.stdin.close()
        code = self.proc.wait(timeout=DEADLINE)
        for r in self._readers:
            r.join(timeout=DEADLINE)
        return code

    def output(self):
        return "\n".join(self.lines("out") + self.lines("err"))

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=DEADLINE)
