# The task of a swarm run: fetches the run through the staging endpoint in RGRID_STAGE (a URL
# holding this execution's token), runs the script, streams its output back as it comes, uploads
# the files it created or changed, and exits with the script's exit code.
import hashlib, http.client, json, os, subprocess, sys, threading, urllib.parse

STAGE = urllib.parse.urlsplit(os.environ.pop("RGRID_STAGE"))
ROOTS = {"work": "/work", "script": "/rgrid"}


def become_the_user():
    # Swarm ignores the mode of tmpfs mounts on this engine (they come root-owned, 0755), so the
    # task starts as root with CHOWN, SETUID and SETGID only, hands its in-memory directories to
    # the script's user, forbids any gain of privileges (setuid binaries) and becomes that user:
    # from then on it holds no capability at all, before it has spoken to anyone.
    uid, gid = (int(x) for x in os.environ.pop("RGRID_USER").split(":"))
    if os.getuid() == 0 and uid != 0:
        for d in ("/work", "/rgrid", "/tmp"):
            os.chmod(d, 0o1777 if d == "/tmp" else 0o700)
            os.chown(d, uid, gid)
    import ctypes
    if ctypes.CDLL(None, use_errno=True).prctl(38, 1, 0, 0, 0) != 0:  # PR_SET_NO_NEW_PRIVS
        raise SystemExit("rgrid: cannot forbid privilege gains")
    if os.getuid() == 0 and uid != 0:
        os.setgroups([])
        os.setgid(gid)
        os.setuid(uid)


def conn():
    return http.client.HTTPConnection(STAGE.hostname, STAGE.port, timeout=600)


def call(c, method, path, body=None, headers=None):
    c.request(method, STAGE.path + "/" + path, body=body, headers=headers or {})
    r = c.getresponse()
    data = r.read()
    return r.status, data


def fetch(c, root, rel):
    target = os.path.join(ROOTS[root], rel)
    os.makedirs(os.path.dirname(target), exist_ok=True)
    c.request("GET", STAGE.path + "/" + root + "/" + urllib.parse.quote(rel))
    r = c.getresponse()
    if r.status != 200:
        raise SystemExit("rgrid: could not fetch %s/%s: %d" % (root, rel, r.status))
    digest = hashlib.sha256()
    with open(target, "wb") as f:
        while True:
            block = r.read(65536)
            if not block:
                break
            digest.update(block)
            f.write(block)
    return digest.hexdigest()


def pump(name, source):
    c = conn()
    while True:
        chunk = source.read1(65536)
        if not chunk:
            break
        call(c, "POST", "log/" + name, chunk)
    c.close()


def feed(sink):
    c = conn()
    try:
        c.request("GET", STAGE.path + "/stdin")
        r = c.getresponse()
        while True:
            block = r.read(65536)
            if not block:
                break
            sink.write(block)
            sink.flush()
    except OSError:
        pass  # the script closed its stdin early
    finally:
        try:
            sink.close()
        except OSError:
            pass
        c.close()


def sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(65536), b""):
            digest.update(block)
    return digest.hexdigest()


def end_the_rest():
    # As when a container's main process ends: whatever the script left running (holding its
    # output open, say) is killed. The container is this run's alone; pid 1 is its init.
    for entry in os.listdir("/proc"):
        if entry.isdigit() and int(entry) not in (1, os.getpid()):
            try:
                os.kill(int(entry), 9)
            except OSError:
                pass


def main():
    become_the_user()
    c = conn()
    status, data = call(c, "GET", "manifest")
    if status != 200:
        raise SystemExit("rgrid: no manifest: %d" % status)
    m = json.loads(data)
    inputs = {rel: fetch(c, "work", rel) for rel in m["work"]}
    for rel in m["script"]:
        fetch(c, "script", rel)
    child = subprocess.Popen(m["command"], cwd="/work", env=m["env"],
                             stdin=subprocess.PIPE if m["stdin"] else subprocess.DEVNULL,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    threads = [threading.Thread(target=pump, args=("stdout", child.stdout)),
               threading.Thread(target=pump, args=("stderr", child.stderr))]
    if m["stdin"]:
        threads.append(threading.Thread(target=feed, args=(child.stdin,), daemon=True))
    for t in threads:
        t.start()
    code = child.wait()
    end_the_rest()
    for t in threads[:2]:
        t.join()
    code = 128 - code if code < 0 else code
    for top, dirs, files in os.walk("/work"):
        for name in files:
            path = os.path.join(top, name)
            rel = os.path.relpath(path, "/work")
            if os.path.islink(path) or not os.path.isfile(path):
                continue
            if rel in inputs and inputs[rel] == sha256(path):
                continue
            # A connection per file: a refusal (past the staging limit, which the stage
            # reports) may cut it mid-way, and must not take the next file with it.
            upload = conn()
            try:
                with open(path, "rb") as f:
                    size = os.fstat(f.fileno()).st_size
                    call(upload, "PUT", "out/" + urllib.parse.quote(rel), f,
                         {"Content-Length": str(size)})
            except (OSError, http.client.HTTPException):
                pass
            finally:
                upload.close()
    c.close()
    c = conn()
    call(c, "POST", "done")
    sys.exit(code)


main()
