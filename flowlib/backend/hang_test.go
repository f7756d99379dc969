package backend

import (
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/gomlx/compute"
	. "github.com/gomlx/gomlx/core/graph"
)

// hangChildEnv makes the test binary run hangReproducer with the configuration it names, instead of the tests.
const hangChildEnv = "FLOWLIB_HANG_CHILD_CONFIG"

func TestMain(m *testing.M) {
	if config := os.Getenv(hangChildEnv); config != "" {
		hangReproducer(config)
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// hangReproducer runs, 20 times, a forward graph of 8 independent products of 256×256 matrices: the shape under
// which the pure-Go backend's default worker pool deadlocked on 2-core machines (GoMLX v0.26 and v0.28.2).
func hangReproducer(config string) {
	b, err := compute.NewWithConfig(config)
	if err != nil {
		panic(err)
	}
	x := make([][]float32, 256)
	for i := range x {
		x[i] = make([]float32, 256)
		for j := range x[i] {
			x[i][j] = float32((i*j)%7) / 7
		}
	}
	exec := MustNewExec(b, func(x *Node) *Node {
		sum := ZerosLike(x)
		for k := range 8 {
			sum = Add(sum, DotProduct(MulScalar(x, float64(k+1)), x))
		}
		return sum
	})
	for range 20 {
		exec.MustCall(x)
	}
	fmt.Println("done")
}

// runReproducer reports whether the reproducer finished within timeout with the given configuration.
func runReproducer(t *testing.T, config string, timeout time.Duration) bool {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), hangChildEnv+"="+config)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("reproducer with %q: %v", config, err)
		}
		return true
	case <-time.After(timeout):
		_ = cmd.Process.Kill()
		<-done
		return false
	}
}

// TestGoBackendDefaultHangs shows why GoConfig sets parallelism=-1: on a 2-core machine the default configuration
// deadlocks (at 0% CPU) on the reproducer, and parallelism=-1 does not. The deadlock is a race, and on a loaded
// machine a run can get through, so the default gets up to hangAttempts runs: one hang shows the bug is still
// there. When every run finishes, the test says so, and the guard can go.
func TestGoBackendDefaultHangs(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for a deadlock")
	}
	if strings.HasPrefix(os.Getenv(compute.ConfigEnvVar), "xla") {
		t.Skip("a pure-Go backend test; the run on XLA skips it")
	}
	if !runReproducer(t, GoConfig, 60*time.Second) {
		t.Fatalf("the reproducer did not finish in 60 s with %q, the configuration Choose uses", GoConfig)
	}
	if runtime.NumCPU() != 2 {
		t.Skipf("the deadlock was seen on 2-core machines; this one has %d", runtime.NumCPU())
	}
	const hangAttempts = 5
	for i := range hangAttempts {
		if !runReproducer(t, "go", 20*time.Second) {
			t.Logf("the default pure-Go configuration deadlocked on run %d of at most %d", i+1, hangAttempts)
			return
		}
	}
	t.Errorf("the default pure-Go configuration finished the reproducer %d times: the deadlock seen with GoMLX "+
		"v0.28.2 on 2 cores did not happen; if it no longer happens, drop parallelism=-1 from GoConfig", hangAttempts)
}
