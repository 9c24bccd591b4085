package sqldicttc_test

import (
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/sqldict/sqldict/sqldicttc"
)

// leakChildEnv makes the test binary a child of TestNoContainerLeftBehind:
// "shared" runs TestLeakChild under sqldicttc.Run, "per-test" without it.
const leakChildEnv = "SQLDICT_TC_LEAK_CHILD"

// TestNoContainerLeftBehind runs this test binary again as a child that
// starts servers, in both modes (one container per binary with Run, one per
// call without), and counts the child's containers afterwards, stopped ones
// included: none may be left, though Ryuk is disabled.
func TestNoContainerLeftBehind(t *testing.T) {
	if os.Getenv(leakChildEnv) != "" {
		t.Skip("in the child")
	}
	sqldicttc.Postgres(t) // skips or fails as every test here when Docker is missing
	for _, mode := range []string{"shared", "per-test"} {
		t.Run(mode, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^TestLeakChild$", "-test.count=1", "-test.v")
			cmd.Env = append(os.Environ(), leakChildEnv+"="+mode, "TESTCONTAINERS_RYUK_DISABLED=true")
			out, err := cmd.CombinedOutput()
			if err != nil || !strings.Contains(string(out), "--- PASS: TestLeakChild") {
				t.Fatalf("child: %v\n%s", err, out)
			}
			if left := containersOf(t, cmd.Process.Pid); left != "" {
				t.Fatalf("containers of process %d left behind:\n%s", cmd.Process.Pid, left)
			}
		})
	}
}

// TestLeakChild is the child's part: two engines, and it checks that the
// containers it counts are real, so that the parent's count of zero means
// something.
func TestLeakChild(t *testing.T) {
	mode := os.Getenv(leakChildEnv)
	if mode == "" {
		t.Skip("runs only as the child of TestNoContainerLeftBehind")
	}
	sqldicttc.Postgres(t)
	sqldicttc.MariaDB(t)
	t.Run("again", func(t *testing.T) {
		sqldicttc.Postgres(t)
		want := 2 // shared: the Postgres server is reused
		if mode == "per-test" {
			want = 3 // a container of its own
		}
		countContainers(t, want)
	})
	// per-test: the subtest's container went with it.
	countContainers(t, 2)
}

func countContainers(t *testing.T, want int) {
	t.Helper()
	if got := len(strings.Fields(containersOf(t, os.Getpid()))); got != want {
		t.Fatalf("%d containers labelled with this process, want %d", got, want)
	}
}

// containersOf lists the IDs of the containers, running or not, that
// sqldicttc labelled with process pid.
func containersOf(t *testing.T, pid int) string {
	t.Helper()
	out, err := exec.Command("docker", "ps", "-aq", "--filter", "label="+sqldicttc.LabelPID+"="+strconv.Itoa(pid)).CombinedOutput()
	if err != nil {
		t.Fatalf("docker ps: %v\n%s", err, out)
	}
	return strings.TrimSpace(string(out))
}
