"""Opens N stalled connections and measures how long each lives before the server closes it:
silent (connect, send nothing), trickle (a request head, one byte a second), short body (an
upload declaring 1,000 bytes more than it sends). Gives up on a connection after 120 s.
Also prints how many connections the kernel dropped from a full accept queue during the run
(ListenOverflows): those never reached the server, and a silent client cannot tell."""
import asyncio
import statistics
import subprocess
import sys
import time

PORT, TOKEN, N = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
CAP = 120.0
HEAD = ("GET /api/v1/credits HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n\r\n" % TOKEN).encode()
BODY = b'{"sourceIdentifier":"stalled","direction":"INBOUND"'
UPLOAD = ("POST /api/v1/upload HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
          "Content-Type: application/json\r\nContent-Length: %d\r\n\r\n" % (TOKEN, len(BODY) + 1000)).encode()


async def until_closed(reader, start):
    """Seconds until EOF or reset, and what the server said before it."""
    said = b""
    while True:
        try:
            chunk = await reader.read(4096)
        except (ConnectionError, OSError):
            break
        if not chunk:
            break
        said += chunk
    return time.monotonic() - start, said


async def one(kind):
    start = time.monotonic()
    reader, writer = await asyncio.open_connection("127.0.0.1", PORT)
    trickle = None
    if kind == "trickle":
        async def drip():
            for b in HEAD:
                writer.write(bytes([b]))
                await writer.drain()
                await asyncio.sleep(1)
        trickle = asyncio.ensure_future(drip())
    elif kind == "short body":
        writer.write(UPLOAD + BODY)
        await writer.drain()
    try:
        lived, said = await asyncio.wait_for(until_closed(reader, start), CAP)
    except asyncio.TimeoutError:
        lived, said = None, b""
    finally:
        if trickle:
            trickle.cancel()
        writer.close()
    return kind, lived, said.split(b"\r\n", 1)[0].decode(errors="replace")


def listen_overflows():
    with open("/proc/net/netstat") as f:
        lines = [line.split() for line in f if line.startswith("TcpExt:")]
    return int(dict(zip(lines[0], lines[1])).get("ListenOverflows", 0)) if len(lines) == 2 else 0


async def server_side_open(after):
    """Connections the server still holds `after` seconds in (its side of the socket pairs)."""
    await asyncio.sleep(after)
    out = subprocess.run(["ss", "-Htn", "state", "established", f"( sport = :{PORT} )"],
                         capture_output=True, text=True).stdout
    return len(out.splitlines())


async def main():
    overflows = listen_overflows()
    kinds = ["silent", "trickle", "short body"]
    probe = asyncio.ensure_future(server_side_open(60))
    results = await asyncio.gather(*(one(kinds[i % 3]) for i in range(N)), return_exceptions=True)
    for kind in kinds:
        mine = [r for r in results if not isinstance(r, BaseException) and r[0] == kind]
        closed = sorted(r[1] for r in mine if r[1] is not None)
        still = len(mine) - len(closed)
        answers = sorted({r[2] for r in mine if r[2]})
        if closed:
            print(f"  {kind}: {len(mine)} connections, closed by the server after "
                  f"min {closed[0]:.1f} s / median {statistics.median(closed):.1f} s / max {closed[-1]:.1f} s; "
                  f"open after {CAP:.0f} s: {still}; answers: {answers or 'none'}")
        else:
            print(f"  {kind}: {len(mine)} connections, none closed within {CAP:.0f} s")
    print(f"  accept-queue overflows during the run: {listen_overflows() - overflows} "
          "(connections the kernel never handed to the server)")
    print(f"  connections the server still held 60 s in: {await probe}")
    errors = [r for r in results if isinstance(r, BaseException)]
    if errors:
        print(f"  {len(errors)} connections failed to open: {errors[0]!r}")


asyncio.run(main())
