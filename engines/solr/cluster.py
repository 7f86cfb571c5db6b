"""Start, stop and inspect the local SolrCloud cluster: ZooKeeper and N Solr nodes, one JVM each.

The cluster is for development and tests, on 127.0.0.1 only. Everything comes from Maven Central:
the launcher in ``launcher/`` (a Maven module) is built on first use into ``launcher/target/``.

Layout of a cluster directory::

    cluster.json            the state file: ZooKeeper's and each node's port, pid, command, logs
    zookeeper/zoo.cfg       ZooKeeper's config; data/ holds the cluster state (collections, configsets)
    zookeeper/zookeeper.log, zookeeper/console.log
    node0/home/             node 0's solr home (solr.xml, one directory per core)
    node0/solr.log, node0/console.log
    node1/ ...

Ports: node i listens on ``base_port + i``; ZooKeeper on ``base_port + 1000`` (9983 for 8983,
as ``bin/solr -c`` does with its embedded ZooKeeper). Solr keeps its state in ZooKeeper under the
``/solr`` chroot. Stopping and starting the same directory again keeps the collections.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from indexer.errors import LoupeError

HOST = "127.0.0.1"
ZK_PORT_OFFSET = 1000
ZK_CHROOT = "/solr"
STATE_FILE_NAME = "cluster.json"

LAUNCHER_DIR = Path(__file__).resolve().parent / "launcher"
BUILD_DIR = LAUNCHER_DIR / "target"
LAUNCHER_JAR = BUILD_DIR / "loupe-solr-launcher.jar"
CLASSPATH_FILE = BUILD_DIR / "classpath.txt"
BUILD_STAMP = BUILD_DIR / "loupe-build.sha256"
BUILD_LOG = BUILD_DIR / "build.log"
SOLR_XML = Path(__file__).resolve().parent / "solr.xml"

# Solr 9.10 runs on Java 11-21 and the launcher is compiled for 17; Java 25 is not supported.
JAVA_VERSIONS = range(17, 22)
JAVA_HOME_GUESSES = ("/usr/lib/jvm/java-17-openjdk-amd64", "/usr/lib/jvm/java-17-openjdk-arm64",
                     "/usr/lib/jvm/java-21-openjdk-amd64", "/usr/lib/jvm/java-21-openjdk-arm64")

COMMON_JVM_OPTIONS = (
    "-XX:+UseSerialGC",  # the lightest collector: small heaps on a 2-core machine
    "-Xss256k",  # what bin/solr uses: Solr runs many threads
    "-XX:+ExitOnOutOfMemoryError",
    "-Djava.awt.headless=true",
    "-Dfile.encoding=UTF-8",
    "-Duser.timezone=UTC",
    "-Dlog4j2.configurationFile=classpath:loupe-log4j2.xml",
)
ZK_JVM_OPTIONS = ("-Xms32m", "-Xmx128m", "-Dloupe.zookeeper.log.level=INFO",
                  "-Dzookeeper.admin.enableServer=false")  # its admin server would take port 8080
NODE_JVM_OPTIONS = ("-Xms128m", "-Xmx512m", "-DcreateZkChroot=true")

ZK_START_TIMEOUT = 30.0
NODE_START_TIMEOUT = 120.0
STOP_TIMEOUT = 30.0


class ClusterError(LoupeError):
    """The local cluster cannot do what was asked; the message says what to do."""

    code = "cluster_error"


class ClusterNotRunning(ClusterError):
    """There is no cluster state in the directory."""


@dataclass(frozen=True)
class NodeInfo:
    index: int
    port: int
    pid: int | None
    base_url: str  # http://127.0.0.1:8983/solr
    home: Path
    log_path: Path

    @property
    def node_name(self) -> str:
        """The name under which the node appears in live_nodes."""
        return node_name(self.port)


@dataclass(frozen=True)
class ClusterInfo:
    cluster_dir: Path
    zk_host: str  # 127.0.0.1:9983/solr, what a SolrJ client or another node would be given
    zk_port: int
    zk_pid: int | None
    nodes: tuple[NodeInfo, ...]

    @property
    def base_urls(self) -> list[str]:
        return [node.base_url for node in self.nodes]


@dataclass(frozen=True)
class ServiceStatus:
    name: str  # "zookeeper", "node0", "node1", ...
    address: str  # 127.0.0.1:9983 for ZooKeeper, the base URL for a node
    pid: int | None
    state: str  # "live", "down" (process running, not serving) or "not running"
    log_path: Path

    def __str__(self) -> str:
        pid = str(self.pid) if self.pid else "-"
        return f"{self.name:<10} {self.address:<28} pid {pid:<8} {self.state}"


@dataclass(frozen=True)
class Launcher:
    java: Path
    classpath: str


# Processes this Python process started: polling them reaps them, so a killed node is not left
# as a zombie that still answers kill(pid, 0).
_children: dict[int, subprocess.Popen] = {}


# ---------------------------------------------------------------- building the launcher

def find_java_home() -> Path:
    """The JDK to run and build with: $LOUPE_JAVA_HOME, else $JAVA_HOME or a system JDK 17-21."""
    forced = os.environ.get("LOUPE_JAVA_HOME")
    if forced:
        if _java_major(Path(forced) / "bin" / "java") < 17:
            raise ClusterError(f"LOUPE_JAVA_HOME={forced} is not a JDK 17 or newer: fix or unset it")
        return Path(forced)
    candidates = [os.environ.get("JAVA_HOME", ""), *JAVA_HOME_GUESSES]
    on_path = shutil.which("java")
    if on_path:
        candidates.append(str(Path(on_path).resolve().parent.parent))
    for home in candidates:
        if home and _java_major(Path(home) / "bin" / "java") in JAVA_VERSIONS:
            return Path(home)
    raise ClusterError("Java 17 not found: install openjdk-17-jdk-headless "
                       "(or set LOUPE_JAVA_HOME to a JDK 17 to 21)")


def _java_major(java: Path) -> int:
    if not os.access(java, os.X_OK):
        return 0
    try:
        run = subprocess.run([str(java), "-version"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return 0
    found = re.search(r'version "(\d+)(?:\.(\d+))?', run.stderr)
    if not found:
        return 0
    major = int(found.group(1))
    return int(found.group(2) or 0) if major == 1 else major


def _launcher_sources_digest() -> str:
    digest = hashlib.sha256()
    files = [LAUNCHER_DIR / "pom.xml", *sorted((LAUNCHER_DIR / "src").rglob("*"))]
    for path in files:
        if path.is_file():
            digest.update(str(path.relative_to(LAUNCHER_DIR)).encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def _built_launcher(java_home: Path, digest: str) -> Launcher | None:
    """The launcher already built from these sources, if its jar and all its jars are there."""
    try:
        if BUILD_STAMP.read_text().strip() != digest:
            return None
        entries = CLASSPATH_FILE.read_text().strip().split(os.pathsep)
    except OSError:
        return None
    if not LAUNCHER_JAR.is_file() or not all(Path(entry).is_file() for entry in entries):
        return None  # e.g. ~/.m2 was emptied: Maven must fetch the jars again
    return Launcher(java_home / "bin" / "java", os.pathsep.join([str(LAUNCHER_JAR), *entries]))


def ensure_built(java_home: Path | None = None) -> Launcher:
    """Build the launcher jar and its classpath unless already built from the same sources.

    Tries Maven offline first (the jars are in ~/.m2 after one build), then online. This is the
    step that downloads Solr's jars (about 100 MB): CI should call it before the tests.
    """
    java_home = java_home or find_java_home()
    digest = _launcher_sources_digest()
    launcher = _built_launcher(java_home, digest)
    if launcher:
        return launcher
    mvn = shutil.which("mvn")
    if not mvn:
        raise ClusterError("Maven not found: install maven (apt-get install maven)")
    if not (java_home / "bin" / "javac").exists():
        raise ClusterError(f"no javac in {java_home}: install openjdk-17-jdk-headless, not only the JRE")
    BUILD_DIR.mkdir(parents=True, exist_ok=True)
    with open(BUILD_DIR / ".build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # two test runs may build at once
        launcher = _built_launcher(java_home, digest)
        if launcher:
            return launcher
        env = {**os.environ, "JAVA_HOME": str(java_home)}
        command = [mvn, "-B", "-ntp", "-Dstyle.color=never", "package"]
        with open(BUILD_LOG, "w") as log:
            built = subprocess.run([*command[:1], "-o", *command[1:]], cwd=LAUNCHER_DIR, env=env,
                                   stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
            if built.returncode != 0:
                log.write("\n---- offline build failed: building online ----\n")
                log.flush()
                built = subprocess.run(command, cwd=LAUNCHER_DIR, env=env,
                                       stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
        if built.returncode != 0:
            raise ClusterError(f"mvn failed building the Solr launcher: see {BUILD_LOG}")
        BUILD_STAMP.write_text(digest + "\n")
        launcher = _built_launcher(java_home, digest)
        if not launcher:
            raise ClusterError(f"mvn built no usable launcher in {BUILD_DIR}: see {BUILD_LOG}")
        return launcher


def prefetch() -> Launcher:
    """Download the Maven artifacts and build the launcher (for CI, before the tests)."""
    return ensure_built()


# ---------------------------------------------------------------- starting and stopping

def node_name(port: int) -> str:
    return f"{HOST}:{port}_solr"


def zk_port_for(base_port: int) -> int:
    return base_port + ZK_PORT_OFFSET


def port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        # As Jetty and ZooKeeper do: a port whose old connections linger in TIME_WAIT is usable.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((HOST, port))
        except OSError:
            return False
    return True


def free_base_port(nodes: int = 2, start: int = 18983, attempts: int = 200) -> int:
    """The first base port from `start` with every port a cluster of `nodes` nodes needs free."""
    for base_port in range(start, start + attempts):
        ports = [*range(base_port, base_port + nodes), zk_port_for(base_port)]
        if all(port_is_free(port) for port in ports):
            return base_port
    raise ClusterError(f"no free ports for a cluster between {start} and {start + attempts}: "
                       "stop the clusters that are still running")


def start(cluster_dir: Path | str, nodes: int = 2, base_port: int = 8983,
          timeout: float = NODE_START_TIMEOUT) -> ClusterInfo:
    """Start ZooKeeper and `nodes` Solr nodes in the background; return once all are live."""
    cluster_dir = Path(cluster_dir).resolve()
    if nodes < 1:
        raise ClusterError("a cluster needs at least one node")
    _refuse_running_cluster(cluster_dir)
    launcher = ensure_built()
    zk_port = zk_port_for(base_port)
    _check_ports_free(base_port, nodes, zk_port)
    cluster_dir.mkdir(parents=True, exist_ok=True)

    state = {"version": 1, "zookeeper": _start_zookeeper(cluster_dir, launcher, zk_port), "nodes": []}
    try:
        _write_state(cluster_dir, state)
        _wait_for_zookeeper(state["zookeeper"])
        zk_host = f"{HOST}:{zk_port}{ZK_CHROOT}"
        for index in range(nodes):
            state["nodes"].append(_start_node(cluster_dir, launcher, index, base_port + index, zk_host))
            _write_state(cluster_dir, state)
        _wait_until_live(state["nodes"], state["nodes"], timeout)
    except BaseException:
        # Leave no JVM behind a failed start; the logs stay for reading.
        _stop_services([*state["nodes"], state["zookeeper"]], STOP_TIMEOUT)
        _state_path(cluster_dir).unlink(missing_ok=True)
        raise
    return _cluster_info(cluster_dir, state)


def stop(cluster_dir: Path | str, timeout: float = STOP_TIMEOUT) -> list[ServiceStatus]:
    """Stop the nodes, then ZooKeeper (SIGTERM, SIGKILL after `timeout`); remove the state file."""
    cluster_dir = Path(cluster_dir).resolve()
    state = _read_state(cluster_dir)
    before = status(cluster_dir)
    _stop_services(state["nodes"], timeout)  # nodes first: they leave ZooKeeper cleanly
    _stop_services([state["zookeeper"]], timeout)
    _state_path(cluster_dir).unlink(missing_ok=True)
    return [ServiceStatus(s.name, s.address, s.pid, "not running", s.log_path)
            for s in before if s.pid]


def stop_node(cluster_dir: Path | str, index: int, hard: bool = False,
              timeout: float = STOP_TIMEOUT) -> NodeInfo:
    """Stop node `index` (0-based) alone, as a crash would with hard=True (SIGKILL).

    A clean stop waits until the node has left live_nodes. After a hard kill the node stays in
    live_nodes until its ZooKeeper session expires (zkClientTimeout, 15 s in our solr.xml).
    """
    cluster_dir = Path(cluster_dir).resolve()
    state = _read_state(cluster_dir)
    node = _node_state(state, index, cluster_dir)
    if not _service_alive(node):
        raise ClusterError(f"node{index} is not running: start it with start_node({index})")
    if hard:
        _signal(node, signal.SIGKILL)
        _wait_exited(node, timeout)
    else:
        _stop_services([node], timeout)
    node["pid"] = None
    _write_state(cluster_dir, state)
    if not hard:
        others = [n for n in state["nodes"] if n is not node and _service_alive(n)]
        deadline = time.monotonic() + timeout
        while others and node_name(node["port"]) in _live_nodes(others):
            if time.monotonic() > deadline:
                raise ClusterError(f"node{index} stopped but is still in live_nodes after "
                                   f"{timeout:.0f} s: see {node['log']}")
            time.sleep(0.2)
    return _node_info(node)


def start_node(cluster_dir: Path | str, index: int, timeout: float = NODE_START_TIMEOUT) -> NodeInfo:
    """Start node `index` (0-based) again, with the command it was first started with."""
    cluster_dir = Path(cluster_dir).resolve()
    state = _read_state(cluster_dir)
    node = _node_state(state, index, cluster_dir)
    if _service_alive(node):
        raise ClusterError(f"node{index} is already running (pid {node['pid']})")
    if not _zookeeper_answers(state["zookeeper"]["port"]):
        raise ClusterError(f"ZooKeeper is not running: see {state['zookeeper']['log']}; "
                           "restart the whole cluster (stop, then start)")
    if not port_is_free(node["port"]):
        raise ClusterError(f"port {node['port']} on {HOST} is taken: stop whatever listens there")
    node["pid"] = _spawn(node["command"], Path(node["console"]))
    _write_state(cluster_dir, state)
    _wait_until_live([node], [node], timeout)
    return _node_info(node)


def stop_zookeeper(cluster_dir: Path | str, timeout: float = STOP_TIMEOUT) -> None:
    """Stop ZooKeeper alone, the nodes left running, as a ZooKeeper outage would (for fault tests)."""
    cluster_dir = Path(cluster_dir).resolve()
    state = _read_state(cluster_dir)
    zk = state["zookeeper"]
    if not _service_alive(zk):
        raise ClusterError("ZooKeeper is not running: start it with start_zookeeper()")
    _stop_services([zk], timeout)
    zk["pid"] = None
    _write_state(cluster_dir, state)


def start_zookeeper(cluster_dir: Path | str) -> None:
    """Start ZooKeeper again with its first command and data.

    Back within the nodes' session timeout (zkClientTimeout), the nodes resume their sessions. After a
    longer outage Solr 9.10 may leave a node out of live_nodes or the cluster without an Overseer
    (Collections API calls time out): restart the nodes one after the other (stop_node, start_node).
    """
    cluster_dir = Path(cluster_dir).resolve()
    state = _read_state(cluster_dir)
    zk = state["zookeeper"]
    if _service_alive(zk):
        raise ClusterError(f"ZooKeeper is already running (pid {zk['pid']})")
    if not port_is_free(zk["port"]):
        raise ClusterError(f"port {zk['port']} on {HOST} (ZooKeeper's) is taken: stop whatever listens there")
    zk["pid"] = _spawn(zk["command"], Path(zk["console"]))
    _write_state(cluster_dir, state)
    _wait_for_zookeeper(zk)


def status(cluster_dir: Path | str) -> list[ServiceStatus]:
    """One record for ZooKeeper, then one per node: address, pid and live / down / not running."""
    cluster_dir = Path(cluster_dir).resolve()
    state = _read_state(cluster_dir)
    zk = state["zookeeper"]
    zk_running = _service_alive(zk)
    records = [ServiceStatus("zookeeper", f"{HOST}:{zk['port']}", zk["pid"] if zk_running else None,
                             _state_word(zk_running, _zookeeper_answers(zk["port"])),
                             Path(zk["log"]))]
    alive = [node for node in state["nodes"] if _service_alive(node)]
    live = _live_nodes(alive)
    for node in state["nodes"]:
        running = node in alive
        records.append(ServiceStatus(f"node{node['index']}", node["base_url"],
                                     node["pid"] if running else None,
                                     _state_word(running, node_name(node["port"]) in live),
                                     Path(node["log"])))
    return records


def cluster_info(cluster_dir: Path | str) -> ClusterInfo:
    """The running cluster's ZooKeeper address and nodes, from its state file."""
    cluster_dir = Path(cluster_dir).resolve()
    return _cluster_info(cluster_dir, _read_state(cluster_dir))


def wait_until_active(base_url: str, collection: str, timeout: float = 60.0) -> None:
    """Wait until every replica of `collection` is active on a live node (e.g. after a restart)."""
    deadline = time.monotonic() + timeout
    while True:
        cluster = _cluster_status(base_url, collection)
        if cluster and _all_replicas_active(cluster, collection):
            return
        if time.monotonic() > deadline:
            raise ClusterError(f"replicas of {collection} not all active after {timeout:.0f} s: "
                               "see the nodes' solr.log")
        time.sleep(0.3)


# ---------------------------------------------------------------- services

def _start_zookeeper(cluster_dir: Path, launcher: Launcher, port: int) -> dict:
    zk_dir = cluster_dir / "zookeeper"
    (zk_dir / "data").mkdir(parents=True, exist_ok=True)
    config = zk_dir / "zoo.cfg"
    config.write_text("\n".join([
        "tickTime=2000",
        f"dataDir={zk_dir / 'data'}",
        f"clientPort={port}",
        f"clientPortAddress={HOST}",
        "maxClientCnxns=0",
        # ruok answers our liveness check; Solr's admin UI asks mntr, conf and ruok.
        "4lw.commands.whitelist=ruok,mntr,conf,srvr",
        "autopurge.snapRetainCount=3",
        "autopurge.purgeInterval=1",
        "",
    ]))
    log = zk_dir / "zookeeper.log"
    command = [str(launcher.java), *COMMON_JVM_OPTIONS, *ZK_JVM_OPTIONS, f"-Dloupe.log.file={log}",
               "-cp", launcher.classpath, "org.apache.zookeeper.server.ZooKeeperServerMain",
               str(config)]
    console = zk_dir / "console.log"
    return {"name": "zookeeper", "port": port, "pid": _spawn(command, console), "log": str(log),
            "console": str(console), "marker": str(config), "command": command}


def _start_node(cluster_dir: Path, launcher: Launcher, index: int, port: int, zk_host: str) -> dict:
    node_dir = cluster_dir / f"node{index}"
    home = node_dir / "home"
    home.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(SOLR_XML, home / "solr.xml")
    log = node_dir / "solr.log"
    command = [str(launcher.java), *COMMON_JVM_OPTIONS, *NODE_JVM_OPTIONS,
               f"-Dloupe.log.file={log}", f"-Dsolr.log.dir={node_dir}", f"-DzkHost={zk_host}",
               "-cp", launcher.classpath, "loupe.solr.SolrNode", str(home), str(port)]
    console = node_dir / "console.log"
    return {"name": f"node{index}", "index": index, "port": port,
            "base_url": f"http://{HOST}:{port}/solr", "pid": _spawn(command, console),
            "home": str(home), "log": str(log), "console": str(console), "marker": str(home),
            "command": command}


def _spawn(command: list[str], console: Path) -> int:
    with open(console, "ab") as out:
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=out,
                                   stderr=subprocess.STDOUT, start_new_session=True,
                                   cwd=console.parent)
    _children[process.pid] = process
    return process.pid


def _service_alive(service: dict) -> bool:
    pid = service.get("pid")
    if not pid:
        return False
    child = _children.get(pid)
    if child is not None:
        return child.poll() is None
    # Not our child (started by another command): check that the pid is still that JVM.
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    if stat.rpartition(")")[2].split()[0] == "Z":
        return False
    return service["marker"].encode() in cmdline


def _signal(service: dict, signum: int) -> None:
    if _service_alive(service):
        with contextlib.suppress(ProcessLookupError):
            os.kill(service["pid"], signum)


def _wait_exited(service: dict, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while _service_alive(service):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    _children.pop(service["pid"], None)
    return True


def _stop_services(services: list[dict], timeout: float) -> None:
    """SIGTERM all, wait up to `timeout`, then SIGKILL the ones still there."""
    for service in services:
        _signal(service, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    for service in services:
        if not _wait_exited(service, max(0.0, deadline - time.monotonic())):
            _signal(service, signal.SIGKILL)
            _wait_exited(service, 10.0)


def _check_ports_free(base_port: int, nodes: int, zk_port: int) -> None:
    if not port_is_free(zk_port):
        raise ClusterError(f"port {zk_port} on {HOST} (ZooKeeper's: --port + {ZK_PORT_OFFSET}) is "
                           "taken: stop whatever listens there, or choose another --port")
    for port in range(base_port, base_port + nodes):
        if not port_is_free(port):
            raise ClusterError(f"port {port} on {HOST} is taken (another Solr?): stop it, "
                               "or choose another --port")


def _refuse_running_cluster(cluster_dir: Path) -> None:
    try:
        state = _read_state(cluster_dir)
    except ClusterNotRunning:
        return
    running = [s for s in [state["zookeeper"], *state["nodes"]] if _service_alive(s)]
    if running:
        names = ", ".join(f"{s['name']} (pid {s['pid']})" for s in running)
        raise ClusterError(f"a cluster is already running in {cluster_dir}: {names}; "
                           "stop it first (python run.py solr stop)")


# ---------------------------------------------------------------- waiting and asking

def _wait_for_zookeeper(zk: dict) -> None:
    deadline = time.monotonic() + ZK_START_TIMEOUT
    while not _zookeeper_answers(zk["port"]):
        if not _service_alive(zk):
            raise ClusterError(f"ZooKeeper exited during start: see {zk['log']} and {zk['console']}")
        if time.monotonic() > deadline:
            raise ClusterError(f"ZooKeeper did not answer within {ZK_START_TIMEOUT:.0f} s: "
                               f"see {zk['log']}")
        time.sleep(0.2)


def _zookeeper_answers(port: int) -> bool:
    try:
        with socket.create_connection((HOST, port), timeout=2) as conn:
            conn.sendall(b"ruok")
            return conn.recv(16) == b"imok"
    except OSError:
        return False


def _wait_until_live(waiting: list[dict], ask: list[dict], timeout: float) -> None:
    """Wait until every node in `waiting` appears in live_nodes, as told by the nodes in `ask`."""
    deadline = time.monotonic() + timeout
    while True:
        for node in waiting:
            if not _service_alive(node):
                raise ClusterError(f"Solr {node['name']} exited during start: see {node['log']} "
                                   f"and {node['console']}")
        live = _live_nodes(ask)
        late = [node for node in waiting if node_name(node["port"]) not in live]
        if not late:
            return
        if time.monotonic() > deadline:
            logs = ", ".join(node["log"] for node in late)
            raise ClusterError(f"Solr {late[0]['name']} not live after {timeout:.0f} s: see {logs}")
        time.sleep(0.3)


def _live_nodes(nodes: list[dict]) -> set[str]:
    """live_nodes as seen by the first of `nodes` that answers (empty when none does)."""
    for node in nodes:
        cluster = _cluster_status(node["base_url"])
        if cluster is not None:
            return set(cluster.get("live_nodes", []))
    return set()


def _cluster_status(base_url: str, collection: str | None = None) -> dict | None:
    url = f"{base_url}/admin/collections?action=CLUSTERSTATUS&wt=json"
    if collection:
        url += f"&collection={collection}"
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return json.load(response).get("cluster")
    except (OSError, ValueError):  # connection refused, HTTP errors, a node still starting
        return None


def _all_replicas_active(cluster: dict, collection: str) -> bool:
    live = set(cluster.get("live_nodes", []))
    shards = cluster.get("collections", {}).get(collection, {}).get("shards", {})
    replicas = [r for shard in shards.values() for r in shard.get("replicas", {}).values()]
    return bool(replicas) and all(r.get("state") == "active" and r.get("node_name") in live
                                  for r in replicas)


def _state_word(running: bool, serving: bool) -> str:
    if not running:
        return "not running"
    return "live" if serving else "down"


# ---------------------------------------------------------------- the state file

def _state_path(cluster_dir: Path) -> Path:
    return cluster_dir / STATE_FILE_NAME


def _write_state(cluster_dir: Path, state: dict) -> None:
    path = _state_path(cluster_dir)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(state, indent=2) + "\n")
    os.replace(temporary, path)


def _read_state(cluster_dir: Path) -> dict:
    try:
        return json.loads(_state_path(cluster_dir).read_text())
    except FileNotFoundError:
        raise ClusterNotRunning(f"no cluster in {cluster_dir} (no {STATE_FILE_NAME}): "
                                "start one with python run.py solr start") from None
    except ValueError as error:
        raise ClusterError(f"{_state_path(cluster_dir)} is damaged ({error}): stop the Java "
                           "processes by hand, then delete the file") from None


def _node_state(state: dict, index: int, cluster_dir: Path) -> dict:
    for node in state["nodes"]:
        if node["index"] == index:
            return node
    raise ClusterError(f"no node{index} in {cluster_dir}: nodes are numbered from 0 "
                       f"to {len(state['nodes']) - 1}")


def _node_info(node: dict) -> NodeInfo:
    return NodeInfo(node["index"], node["port"], node["pid"] if _service_alive(node) else None,
                    node["base_url"], Path(node["home"]), Path(node["log"]))


def _cluster_info(cluster_dir: Path, state: dict) -> ClusterInfo:
    zk = state["zookeeper"]
    return ClusterInfo(cluster_dir, f"{HOST}:{zk['port']}{ZK_CHROOT}", zk["port"],
                       zk["pid"] if _service_alive(zk) else None,
                       tuple(_node_info(node) for node in state["nodes"]))


if __name__ == "__main__":
    import sys

    # `python -m engines.solr.cluster prefetch`: what CI runs before the tests.
    if sys.argv[1:] != ["prefetch"]:
        sys.exit("usage: python -m engines.solr.cluster prefetch")
    try:
        print(f"Solr launcher ready: {prefetch().classpath.split(os.pathsep)[0]}")
    except ClusterError as error:
        sys.exit(f"error: {error}")
