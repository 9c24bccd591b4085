package integration_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Galera ports: node i (1-based) takes client port 23305+i and the galera
// ports 24557+10i (group communication), +1 (IST) and +2 (SST).
const (
	galeraClientBase = 23305
	galeraGroupBase  = 24557
	galeraProvider   = "/usr/lib/galera/libgalera_smm.so"
)

// galera is a running 3-node MariaDB Galera cluster.
type galera struct {
	t     *testing.T
	dir   string
	nodes []*node
	admin []*sql.DB // one pool per node, database test
}

func galeraGroupPort(i int) int { return galeraGroupBase + 10*i }

// startGalera starts a 3-node cluster: node 1 bootstraps the cluster
// (--wsrep-new-cluster), nodes 2 and 3 join it by rsync SST, one after the
// other. The cluster is killed at cleanup.
func startGalera(t *testing.T) *galera {
	t.Helper()
	needCluster(t)
	for _, bin := range []string{"/usr/sbin/mariadbd", "/usr/bin/mariadb-install-db", galeraProvider, "/usr/bin/rsync"} {
		if _, err := os.Stat(bin); err != nil {
			clusterUnavailable(t, "galera: %s missing (install galera-4 and rsync: .ci/install-services): %v", bin, err)
		}
	}
	g := &galera{t: t, dir: clusterDir(t, "galera")}
	var peers []string
	for i := 1; i <= 3; i++ {
		peers = append(peers, fmt.Sprintf("127.0.0.1:%d", galeraGroupPort(i)))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	for i := 1; i <= 3; i++ {
		n := &node{name: fmt.Sprintf("galera/node%d", i), dir: filepath.Join(g.dir, fmt.Sprintf("node%d", i)), port: galeraClientBase + i}
		n.log = filepath.Join(n.dir, "error.log")
		if err := os.MkdirAll(filepath.Join(n.dir, "data"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := chownTree(n.dir, "mysql"); err != nil {
			t.Fatal(err)
		}
		if err := run(ctx, exec.CommandContext(ctx, "mariadb-install-db", "--no-defaults", "--user=mysql",
			"--datadir="+filepath.Join(n.dir, "data"), "--auth-root-authentication-method=normal", "--skip-test-db")); err != nil {
			clusterUnavailable(t, "%s: %v", n.name, err)
		}
		g.nodes = append(g.nodes, n)
		g.admin = append(g.admin, nil)
	}
	t.Cleanup(g.stop)
	for i := range g.nodes {
		if err := g.startNode(ctx, i, strings.Join(peers, ",")); err != nil {
			clusterUnavailable(t, "%v\n%s", err, g.nodes[i].tail())
		}
		if i == 0 {
			// Root over TCP without a password on every node: the grant
			// replicates (DDL runs on all nodes in total order).
			if _, err := g.admin[0].ExecContext(ctx, "CREATE DATABASE IF NOT EXISTS test"); err != nil {
				t.Fatalf("galera/node1: %v", err)
			}
		}
		t.Logf("%s: up on 127.0.0.1:%d (galera %d)", g.nodes[i].name, g.nodes[i].port, galeraGroupPort(i+1))
	}
	return g
}

// startNode starts node i (0-based) and waits until it is Synced.
func (g *galera) startNode(ctx context.Context, i int, peers string) error {
	n := g.nodes[i]
	gp := galeraGroupPort(i + 1)
	args := []string{
		"--no-defaults", "--user=mysql",
		"--datadir=" + filepath.Join(n.dir, "data"),
		"--socket=" + filepath.Join(n.dir, "mysqld.sock"),
		"--pid-file=" + filepath.Join(n.dir, "mysqld.pid"),
		"--log-error=" + n.log,
		fmt.Sprintf("--port=%d", n.port), "--bind-address=127.0.0.1", "--skip-name-resolve",
		"--innodb-buffer-pool-size=64M", "--innodb-log-file-size=16M", "--performance-schema=OFF",
		"--innodb-flush-log-at-trx-commit=2", "--max-connections=200",
		"--binlog-format=ROW", "--default-storage-engine=InnoDB", "--innodb-autoinc-lock-mode=2",
		"--wsrep-on=ON", "--wsrep-provider=" + galeraProvider,
		"--wsrep-cluster-name=sqldict", "--wsrep-cluster-address=gcomm://" + peers,
		fmt.Sprintf("--wsrep-node-name=node%d", i+1),
		fmt.Sprintf("--wsrep-node-address=127.0.0.1:%d", gp),
		fmt.Sprintf("--wsrep-provider-options=gmcast.listen_addr=tcp://127.0.0.1:%d;ist.recv_addr=127.0.0.1:%d;gcache.size=64M", gp, gp+1),
		fmt.Sprintf("--wsrep-sst-receive-address=127.0.0.1:%d", gp+2),
		"--wsrep-sst-method=rsync",
	}
	if i == 0 && g.admin[0] == nil {
		args = append(args, "--wsrep-new-cluster")
	}
	if err := n.start(exec.Command("/usr/sbin/mariadbd", args...)); err != nil {
		return err
	}
	if g.admin[i] == nil {
		// The first start: root is only reachable over the node's socket
		// (mariadb-install-db made root@localhost); grant it over TCP.
		db, err := sql.Open("mysql", "root@unix("+filepath.Join(n.dir, "mysqld.sock")+")/")
		if err != nil {
			return err
		}
		err = waitFor(ctx, n.name+": socket", func(ctx context.Context) error {
			if !n.running() {
				return fmt.Errorf("%s exited", n.name)
			}
			return db.PingContext(ctx)
		})
		if err == nil && i == 0 {
			_, err = db.ExecContext(ctx, "CREATE USER IF NOT EXISTS 'root'@'127.0.0.1'; GRANT ALL PRIVILEGES ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION")
			if err != nil {
				// multiStatements is off on this DSN: run them one by one.
				if _, err = db.ExecContext(ctx, "CREATE USER IF NOT EXISTS 'root'@'127.0.0.1'"); err == nil {
					_, err = db.ExecContext(ctx, "GRANT ALL PRIVILEGES ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION")
				}
			}
		}
		db.Close()
		if err != nil {
			return fmt.Errorf("%s: %w", n.name, err)
		}
		g.admin[i], err = sql.Open("mysql", g.dsn(i, "")+"&multiStatements=true")
		if err != nil {
			return err
		}
	}
	return g.waitSynced(ctx, i)
}

// dsn is node i's go-sql-driver DSN for database db.
func (g *galera) dsn(i int, db string) string {
	return fmt.Sprintf("root@tcp(127.0.0.1:%d)/%s?parseTime=false", g.nodes[i].port, db)
}

// URL is node i's sqldict.OpenURL URL for database test.
func (g *galera) URL(i int) string {
	return fmt.Sprintf("mysql://root@127.0.0.1:%d/test", g.nodes[i].port)
}

// waitSynced waits until node i says wsrep_local_state_comment = Synced
// and wsrep_ready = ON.
func (g *galera) waitSynced(ctx context.Context, i int) error {
	n := g.nodes[i]
	return waitFor(ctx, n.name+": synced", func(ctx context.Context) error {
		if !n.running() {
			return fmt.Errorf("%s exited", n.name)
		}
		var name, state, ready string
		if err := g.admin[i].QueryRowContext(ctx, "SHOW GLOBAL STATUS LIKE 'wsrep_local_state_comment'").Scan(&name, &state); err != nil {
			return err
		}
		if err := g.admin[i].QueryRowContext(ctx, "SHOW GLOBAL STATUS LIKE 'wsrep_ready'").Scan(&name, &ready); err != nil {
			return err
		}
		if state != "Synced" || ready != "ON" {
			return fmt.Errorf("%s: state %s, ready %s", n.name, state, ready)
		}
		return nil
	})
}

// status reads a wsrep status variable of node i.
func (g *galera) status(ctx context.Context, i int, variable string) string {
	var name, v string
	if err := g.admin[i].QueryRowContext(ctx, "SHOW GLOBAL STATUS LIKE '"+variable+"'").Scan(&name, &v); err != nil {
		return "(" + err.Error() + ")"
	}
	return v
}

// restart starts node i again after kill: it rejoins the cluster through
// IST (or SST) from a surviving node.
func (g *galera) restart(ctx context.Context, i int) error {
	var peers []string
	for j := 1; j <= 3; j++ {
		peers = append(peers, fmt.Sprintf("127.0.0.1:%d", galeraGroupPort(j)))
	}
	return g.startNode(ctx, i, strings.Join(peers, ","))
}

// stop kills every node and closes the admin pools.
func (g *galera) stop() {
	for i, n := range g.nodes {
		if g.admin[i] != nil {
			g.admin[i].Close()
		}
		n.kill()
	}
	if g.t.Failed() {
		for _, n := range g.nodes {
			g.t.Logf("%s logs:\n%s", n.name, n.tail())
		}
	}
}
