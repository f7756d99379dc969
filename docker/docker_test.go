// Package docker tests the classroom image's files without a Docker engine: the Dockerfile and compose
// file are parsed and checked statically, the entrypoint runs in dry-run mode against temp folders, the
// build-cache warm-up is checked against the paths notebooks compile from, and the scripts go through
// shellcheck when it is installed.
package docker

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/flowsgo/flows/internal/nbformat"
	"gopkg.in/yaml.v3"
)

const repoRoot = ".."

// The folder the image keeps the student's work in; compose, the Dockerfile and JupyterHub must agree.
const workDir = "/home/jovyan/work"

// ---------------------------------------------------------------------------------------------------
// Dockerfile

type instruction struct {
	Cmd  string // upper case: FROM, RUN, ...
	Args string // continuation lines joined
	Line int
}

type stage struct {
	Name, Base string // Base with global ARG defaults substituted
	Instrs     []instruction
}

// parseDockerfile reads instructions (comments dropped, "\" continuations joined) and splits them into
// stages; global ARGs (before the first FROM) are returned with their defaults.
func parseDockerfile(t *testing.T, path string) (globals map[string]string, stages []*stage) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	globals = map[string]string{}
	var (
		cur   strings.Builder
		start int
		instr []instruction
	)
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		trimmed := strings.TrimSpace(line)
		if trimmed == "" || strings.HasPrefix(trimmed, "#") {
			continue // comments may sit inside a continued instruction too
		}
		if cur.Len() == 0 {
			start = n
		}
		if strings.HasSuffix(trimmed, "\\") {
			cur.WriteString(strings.TrimSuffix(trimmed, "\\") + " ")
			continue
		}
		cur.WriteString(trimmed)
		cmd, args, _ := strings.Cut(cur.String(), " ")
		instr = append(instr, instruction{Cmd: strings.ToUpper(cmd), Args: strings.TrimSpace(args), Line: start})
		cur.Reset()
	}
	for _, in := range instr {
		switch {
		case in.Cmd == "FROM":
			f := strings.Fields(in.Args)
			s := &stage{Base: expandArgs(f[0], globals)}
			if len(f) == 3 && strings.EqualFold(f[1], "AS") {
				s.Name = f[2]
			}
			stages = append(stages, s)
		case len(stages) == 0 && in.Cmd == "ARG":
			name, def, _ := strings.Cut(in.Args, "=")
			globals[name] = def
		case len(stages) > 0:
			s := stages[len(stages)-1]
			s.Instrs = append(s.Instrs, in)
		}
	}
	if len(stages) == 0 {
		t.Fatalf("%s: no FROM", path)
	}
	return globals, stages
}

var argRef = regexp.MustCompile(`\$\{(\w+)\}|\$(\w+)`)

func expandArgs(s string, args map[string]string) string {
	return argRef.ReplaceAllStringFunc(s, func(m string) string {
		name := strings.Trim(m, "${}")
		return args[name]
	})
}

// chain returns the named stage and its ancestors, the stage itself first.
func chain(stages []*stage, s *stage) []*stage {
	byName := map[string]*stage{}
	for _, st := range stages {
		if st.Name != "" {
			byName[st.Name] = st
		}
	}
	out := []*stage{s}
	for p, ok := byName[s.Base]; ok && len(out) < len(stages); p, ok = byName[p.Base] {
		out = append(out, p)
	}
	return out
}

// lastInChain is the last instruction cmd in the stage's chain (the stage first, then its parents).
func lastInChain(stages []*stage, s *stage, cmd string) (instruction, bool) {
	for _, st := range chain(stages, s) {
		for i := len(st.Instrs) - 1; i >= 0; i-- {
			if st.Instrs[i].Cmd == cmd {
				return st.Instrs[i], true
			}
		}
	}
	return instruction{}, false
}

func TestDockerfile(t *testing.T) {
	globals, stages := parseDockerfile(t, "Dockerfile")
	names := map[string]bool{}
	for _, s := range stages {
		names[s.Name] = true
	}
	final := stages[len(stages)-1]

	t.Run("base image pinned", func(t *testing.T) {
		pinnedTag := regexp.MustCompile(`:[^:@/]*\d+\.\d+(\.\d+)?[^:@/]*$`)
		for _, s := range stages {
			if names[s.Base] {
				continue // another stage
			}
			if !strings.Contains(s.Base, "@sha256:") && !pinnedTag.MatchString(s.Base) {
				t.Errorf("FROM %s: want a digest (@sha256:...) or a versioned tag, not a floating one", s.Base)
			}
			if strings.HasSuffix(s.Base, ":latest") || !strings.Contains(s.Base, ":") && !strings.Contains(s.Base, "@") {
				t.Errorf("FROM %s: floating tag", s.Base)
			}
		}
		// FROM pjrt-${PJRT} must land on a stage for every documented PJRT value.
		for _, v := range []string{"cpu", "cuda", "none"} {
			if !names["pjrt-"+v] {
				t.Errorf("no stage pjrt-%s for --build-arg PJRT=%s", v, v)
			}
		}
		if !names[final.Base] {
			t.Errorf("final FROM %s is not a stage (PJRT default %q)", final.Base, globals["PJRT"])
		}
	})

	t.Run("Go version", func(t *testing.T) {
		var goImage string
		for _, s := range stages {
			if strings.HasPrefix(s.Base, "golang:") {
				goImage = s.Base
			}
		}
		m := regexp.MustCompile(`^golang:(\d+\.\d+\.\d+)`).FindStringSubmatch(goImage)
		if m == nil {
			t.Fatalf("no golang:X.Y.Z base image (got %q)", goImage)
		}
		image := "go" + m[1]
		if req := goModVersion(t); !versionAtLeast(image, "go"+req) {
			t.Errorf("image Go %s is older than go.mod's go %s", image, req)
		}
		// CI runs on the machine's Go; a developer's Go may differ, so only CI insists.
		want := strings.Fields(runtime.Version())[0]
		switch {
		case image == want:
		case os.Getenv("CI") != "":
			t.Errorf("image Go %s, CI's Go %s: update GO_VERSION in docker/Dockerfile", image, want)
		default:
			t.Logf("image Go %s, this machine's Go %s (only checked under CI)", image, want)
		}
	})

	t.Run("non-root user", func(t *testing.T) {
		u, ok := lastInChain(stages, final, "USER")
		if !ok {
			t.Fatal("final stage runs as root: no USER")
		}
		user := strings.SplitN(expandArgs(u.Args, globals), ":", 2)[0]
		if user == "" || user == "root" || user == "0" {
			t.Errorf("line %d: USER %s: want a non-root user", u.Line, u.Args)
		}
	})

	t.Run("install logic in scripts", func(t *testing.T) {
		var runs []instruction
		for _, s := range stages {
			for _, in := range s.Instrs {
				if in.Cmd == "RUN" {
					runs = append(runs, in)
				}
			}
		}
		calls := func(what string) bool {
			for _, r := range runs {
				if strings.Contains(r.Args, what) {
					return true
				}
			}
			return false
		}
		for _, script := range []string{"kernel-setup/setup.sh", "docker/entrypoint.sh warm", "./docker/pjrt-install"} {
			if !calls(script) {
				t.Errorf("no RUN calls %s", script)
			}
		}
		// What setup.sh installs must not be installed a second way here.
		dup := regexp.MustCompile(`\bgo install\b|gonb\S* +--install|pip\S* [^&;|]*install[^&;|]*\b(jupyterlab|notebook|nbconvert|nbclient)\b|golang\.org/x/tools|apt-get [^&;|]*\bjupyter`)
		for _, r := range runs {
			if m := dup.FindString(r.Args); m != "" {
				t.Errorf("line %d duplicates kernel-setup/setup.sh's install logic (%q): call the script instead", r.Line, m)
			}
		}
	})

	t.Run("runtime", func(t *testing.T) {
		if _, ok := lastInChain(stages, final, "HEALTHCHECK"); !ok {
			t.Error("no HEALTHCHECK")
		}
		ep, ok := lastInChain(stages, final, "ENTRYPOINT")
		if !ok {
			t.Fatal("no ENTRYPOINT")
		}
		if !strings.Contains(ep.Args, "/opt/flows/docker/entrypoint.sh") {
			t.Errorf("ENTRYPOINT %s does not run docker/entrypoint.sh", ep.Args)
		}
		if fi, err := os.Stat("entrypoint.sh"); err != nil || fi.Mode()&0o111 == 0 {
			t.Errorf("docker/entrypoint.sh must exist and be executable (%v)", err)
		}
		env := map[string]string{}
		for _, st := range chain(stages, final) {
			for _, in := range st.Instrs {
				if in.Cmd == "ENV" {
					for k, v := range parseEnv(in.Args) {
						if _, seen := env[k]; !seen { // the nearest stage wins
							env[k] = v
						}
					}
				}
			}
		}
		if env["GOPROXY"] != "off" {
			t.Errorf("GOPROXY=%q at run time, want off (nothing may need the network)", env["GOPROXY"])
		}
		if env["FLOWS_WORK"] != workDir {
			t.Errorf("FLOWS_WORK=%q, want %s", env["FLOWS_WORK"], workDir)
		}
		if ex, ok := lastInChain(stages, final, "EXPOSE"); !ok || ex.Args != "8888" {
			t.Errorf("EXPOSE %q, want 8888", ex.Args)
		}
	})

	t.Run("COPY sources exist", func(t *testing.T) {
		for _, s := range stages {
			for _, in := range s.Instrs {
				if in.Cmd != "COPY" || strings.Contains(in.Args, "--from") {
					continue
				}
				f := strings.Fields(in.Args)
				for _, src := range f[:len(f)-1] {
					if strings.HasPrefix(src, "--") {
						continue
					}
					if _, err := os.Stat(filepath.Join(repoRoot, src)); err != nil {
						t.Errorf("line %d: COPY %s: %v", in.Line, src, err)
					}
				}
			}
		}
	})
}

// parseEnv reads ENV's key=value form (values may be double-quoted; no spaces inside).
func parseEnv(args string) map[string]string {
	out := map[string]string{}
	for _, kv := range strings.Fields(args) {
		if k, v, ok := strings.Cut(kv, "="); ok {
			out[k] = strings.Trim(v, `"`)
		}
	}
	return out
}

func goModVersion(t *testing.T) string {
	data, err := os.ReadFile(filepath.Join(repoRoot, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^go (\S+)`).FindSubmatch(data)
	if m == nil {
		t.Fatal("go.mod: no go line")
	}
	return string(m[1])
}

// versionAtLeast compares "goX.Y.Z" versions numerically.
func versionAtLeast(a, b string) bool {
	pa, pb := strings.Split(strings.TrimPrefix(a, "go"), "."), strings.Split(strings.TrimPrefix(b, "go"), ".")
	for i := 0; i < 3; i++ {
		var x, y int
		if i < len(pa) {
			x, _ = strconv.Atoi(pa[i])
		}
		if i < len(pb) {
			y, _ = strconv.Atoi(pb[i])
		}
		if x != y {
			return x > y
		}
	}
	return true
}

// ---------------------------------------------------------------------------------------------------
// compose.yaml, JupyterHub values, pip constraints

func readYAML(t *testing.T, path string) map[string]any {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return doc
}

// get walks a YAML document by keys.
func get(doc any, keys ...string) any {
	for _, k := range keys {
		m, ok := doc.(map[string]any)
		if !ok {
			return nil
		}
		doc = m[k]
	}
	return doc
}

// TestCompose checks compose.yaml and compose.gpu.yaml. Each file holds one service, so a plain `up`
// starts only that one: podman-compose 1.0.3 ignores `profiles:`, so profiles cannot keep a service
// (the GPU one) from starting.
func TestCompose(t *testing.T) {
	for file, want := range map[string]string{"compose.yaml": "classroom", "compose.gpu.yaml": "classroom-gpu"} {
		t.Run(file, func(t *testing.T) { checkCompose(t, file, want) })
	}
}

func checkCompose(t *testing.T, file, wantService string) {
	doc := readYAML(t, file)
	services, _ := doc["services"].(map[string]any)
	if services[wantService] == nil || len(services) != 1 {
		names := []string{}
		for n := range services {
			names = append(names, n)
		}
		t.Fatalf("services %v, want only %s (a plain `up` starts every service in the file)", names, wantService)
	}
	volumes, _ := doc["volumes"].(map[string]any)
	for name, svc := range services {
		t.Run(name, func(t *testing.T) {
			if get(svc, "profiles") != nil {
				t.Error("profiles: podman-compose 1.0.3 ignores them; use a separate compose file")
			}
			// Build: the repository root as context, this Dockerfile.
			if ctx, df := get(svc, "build", "context"), get(svc, "build", "dockerfile"); ctx != ".." || df != "docker/Dockerfile" {
				t.Errorf("build context %v dockerfile %v, want .. and docker/Dockerfile", ctx, df)
			}

			ports, _ := get(svc, "ports").([]any)
			if len(ports) == 0 {
				t.Error("no ports")
			}
			for _, p := range ports {
				switch p := p.(type) {
				case string:
					if !strings.HasPrefix(p, "127.0.0.1:") {
						t.Errorf("port %q is not bound to 127.0.0.1 on the host", p)
					}
				case map[string]any:
					if p["host_ip"] != "127.0.0.1" {
						t.Errorf("port %v is not bound to 127.0.0.1 on the host", p)
					}
				default:
					t.Errorf("port %v: unexpected form", p)
				}
			}
			if !containsAny(ports, "127.0.0.1:8888:8888") {
				t.Errorf("ports %v, want 127.0.0.1:8888:8888", ports)
			}

			mounted := false
			vols, _ := get(svc, "volumes").([]any)
			for _, v := range vols {
				src, dst, _ := strings.Cut(fmt.Sprint(v), ":")
				if dst == workDir {
					mounted = true
					if _, ok := volumes[src]; !ok {
						t.Errorf("%s is mounted from %q, not a named volume declared under volumes:", workDir, src)
					}
				}
			}
			if !mounted {
				t.Errorf("no volume mounted at %s", workDir)
			}

			user := fmt.Sprint(get(svc, "user"))
			if u := strings.SplitN(user, ":", 2)[0]; u == "" || u == "root" || u == "0" || u == "<nil>" {
				t.Errorf("user %q: want an explicit non-root user", user)
			}

			// The token: passed through or set, never set empty, never switched off in a command.
			switch env := get(svc, "environment").(type) {
			case []any:
				for _, e := range env {
					if s := fmt.Sprint(e); s == "JUPYTER_TOKEN=" || s == "JUPYTER_TOKEN=''" || s == `JUPYTER_TOKEN=""` {
						t.Errorf("environment sets an empty JUPYTER_TOKEN")
					}
				}
			case map[string]any:
				if v, ok := env["JUPYTER_TOKEN"]; ok && (v == nil || v == "") {
					t.Errorf("environment sets an empty JUPYTER_TOKEN (use the list form `- JUPYTER_TOKEN` to pass it through)")
				}
			}
			if cmd := fmt.Sprint(get(svc, "command")); regexp.MustCompile(`token=(''|""|\s|$)`).MatchString(cmd) {
				t.Errorf("command %s disables the token", cmd)
			}
		})
	}
	if len(volumes) == 0 {
		t.Error("no named volumes")
	}
}

func containsAny(list []any, want string) bool {
	for _, v := range list {
		if fmt.Sprint(v) == want {
			return true
		}
	}
	return false
}

func TestJupyterHubValues(t *testing.T) {
	doc := readYAML(t, "jupyterhub/values.yaml")
	checks := []struct {
		keys []string
		ok   func(any) bool
		want string
	}{
		{[]string{"singleuser", "storage", "type"}, eq("dynamic"), "dynamic (a volume per student)"},
		{[]string{"singleuser", "storage", "homeMountPath"}, eq("/home/jovyan"), "/home/jovyan"},
		{[]string{"singleuser", "storage", "capacity"}, nonEmpty, "a size"},
		{[]string{"singleuser", "cpu", "limit"}, nonEmpty, "a CPU limit"},
		{[]string{"singleuser", "memory", "limit"}, nonEmpty, "a memory limit"},
		{[]string{"singleuser", "uid"}, eq(1000), "1000 (the image's user)"},
		{[]string{"singleuser", "cmd"}, eq("jupyterhub-singleuser"), "jupyterhub-singleuser"},
		{[]string{"singleuser", "extraEnv", "FLOWS_WORK"}, eq(workDir), workDir},
		{[]string{"cull", "enabled"}, eq(true), "true (idle culling)"},
		{[]string{"cull", "timeout"}, nonEmpty, "an idle timeout"},
	}
	for _, c := range checks {
		if v := get(doc, c.keys...); !c.ok(v) {
			t.Errorf("%s = %v, want %s", strings.Join(c.keys, "."), v, c.want)
		}
	}
}

func eq(want any) func(any) bool { return func(v any) bool { return v == want } }
func nonEmpty(v any) bool        { return v != nil && fmt.Sprint(v) != "" && fmt.Sprint(v) != "0" }

func TestJupyterConstraintsPinned(t *testing.T) {
	data, err := os.ReadFile("jupyter-constraints.txt")
	if err != nil {
		t.Fatal(err)
	}
	pinned := map[string]bool{}
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, version, ok := strings.Cut(line, "==")
		if !ok || !regexp.MustCompile(`^\d+(\.\d+)+(\.post\d+)?$`).MatchString(version) {
			t.Errorf("%q: want name==X.Y.Z", line)
		}
		pinned[name] = true
	}
	for _, want := range []string{"jupyterlab", "jupyterhub"} {
		if !pinned[want] {
			t.Errorf("%s is not pinned", want)
		}
	}
}

// ---------------------------------------------------------------------------------------------------
// entrypoint.sh, dry run against temp folders

type fakeImage struct{ home, work string }

func newFakeImage(t *testing.T, notebooks map[string]string) fakeImage {
	t.Helper()
	root := t.TempDir()
	f := fakeImage{home: filepath.Join(root, "opt", "flows"), work: filepath.Join(root, "home", "work")}
	for name, content := range map[string]string{
		"go.mod":          "module example.com/m\n\ngo 1.24\n",
		"go.sum":          "",
		"flowlib/doc.go":  "package flowlib\n",
		"notebooks/.keep": "",
	} {
		write(t, filepath.Join(f.home, name), content)
	}
	for name, content := range notebooks {
		write(t, filepath.Join(f.home, "notebooks", name), content)
	}
	return f
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func read(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// run runs entrypoint.sh in dry-run mode; env entries are KEY=VALUE, and "-KEY" unsets KEY.
func (f fakeImage) run(t *testing.T, env []string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command("bash", append([]string{"entrypoint.sh"}, args...)...)
	base := []string{}
	unset := map[string]bool{"JUPYTER_TOKEN": true}
	for _, e := range env {
		if strings.HasPrefix(e, "-") {
			unset[e[1:]] = true
		}
	}
	for _, e := range os.Environ() {
		k, _, _ := strings.Cut(e, "=")
		if !unset[k] {
			base = append(base, e)
		}
	}
	for _, e := range env {
		if !strings.HasPrefix(e, "-") {
			base = append(base, e)
		}
	}
	cmd.Env = append(base, "FLOWS_HOME="+f.home, "FLOWS_WORK="+f.work, "FLOWS_DRY_RUN=1")
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func TestEntrypointFirstStart(t *testing.T) {
	f := newFakeImage(t, map[string]string{"01-a.ipynb": "A1", "02-b.ipynb": "B1"})
	out, err := f.run(t, nil)
	if err != nil {
		t.Fatalf("entrypoint: %v\n%s", err, out)
	}
	for _, nb := range []string{"01-a.ipynb", "02-b.ipynb"} {
		if got := read(t, filepath.Join(f.work, "notebooks", nb)); got != read(t, filepath.Join(f.home, "notebooks", nb)) {
			t.Errorf("notebooks/%s = %q, want the image's copy", nb, got)
		}
		fi, err := os.Stat(filepath.Join(f.work, "originals", nb))
		if err != nil {
			t.Fatalf("originals/%s: %v", nb, err)
		}
		if fi.Mode().Perm()&0o222 != 0 {
			t.Errorf("originals/%s is writable (%v), want read-only", nb, fi.Mode())
		}
	}
	if target, err := os.Readlink(filepath.Join(f.work, "flowlib")); err != nil || target != filepath.Join(f.home, "flowlib") {
		t.Errorf("flowlib link -> %q (%v), want %s", target, err, filepath.Join(f.home, "flowlib"))
	}
	if read(t, filepath.Join(f.work, "go.mod")) != read(t, filepath.Join(f.home, "go.mod")) {
		t.Error("go.mod not copied into the work folder")
	}

	// JupyterLab: all interfaces inside the container, a token, the work folder as root.
	m := regexp.MustCompile(`http://127\.0\.0\.1:8888/lab\?token=([0-9a-f]+)`).FindStringSubmatch(out)
	if m == nil || len(m[1]) < 32 {
		t.Errorf("no URL with a random token of at least 32 hex digits in:\n%s", out)
	}
	cmdLine := dryRunCommand(t, out)
	for _, want := range []string{"jupyter lab", "--ip=0.0.0.0", "--port=8888", "--ServerApp.root_dir=" + f.work} {
		if !strings.Contains(cmdLine, want) {
			t.Errorf("command %q lacks %q", cmdLine, want)
		}
	}
	if strings.Contains(cmdLine, "token") {
		t.Errorf("command %q has the token in argv (visible in ps): pass it by environment", cmdLine)
	}

	// Another start makes another random token.
	out2, _ := f.run(t, nil)
	if m2 := regexp.MustCompile(`token=([0-9a-f]+)`).FindStringSubmatch(out2); m == nil || m2 == nil || m2[1] == m[1] {
		t.Error("two starts printed the same token")
	}
}

func dryRunCommand(t *testing.T, out string) string {
	t.Helper()
	_, cmd, ok := strings.Cut(out, "dry run: would exec: ")
	if !ok {
		t.Fatalf("no dry-run command in:\n%s", out)
	}
	return strings.TrimSpace(cmd)
}

func TestEntrypointKeepsEditsAcrossRestarts(t *testing.T) {
	f := newFakeImage(t, map[string]string{"01-a.ipynb": "A1", "02-b.ipynb": "B1"})
	if out, err := f.run(t, nil, "prepare"); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	// The student edits a and deletes b; a newer image changes a and adds c.
	write(t, filepath.Join(f.work, "notebooks", "01-a.ipynb"), "A-student")
	if err := os.Remove(filepath.Join(f.work, "notebooks", "02-b.ipynb")); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(f.home, "notebooks", "01-a.ipynb"), "A2")
	write(t, filepath.Join(f.home, "notebooks", "03-c.ipynb"), "C1")
	write(t, filepath.Join(f.work, "originals", "stale.ipynb"), "gone from the image")

	out, err := f.run(t, []string{"JUPYTER_TOKEN=s3cret"})
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	want := map[string]string{
		"notebooks/01-a.ipynb": "A-student", // kept
		"notebooks/02-b.ipynb": "B1",        // missing, so copied again
		"notebooks/03-c.ipynb": "C1",        // new in the image
		"originals/01-a.ipynb": "A2",        // always the image's
		"originals/03-c.ipynb": "C1",
	}
	for rel, content := range want {
		if got := read(t, filepath.Join(f.work, rel)); got != content {
			t.Errorf("%s = %q, want %q", rel, got, content)
		}
	}
	if _, err := os.Stat(filepath.Join(f.work, "originals", "stale.ipynb")); !os.IsNotExist(err) {
		t.Errorf("originals/ kept a file the image no longer has (%v)", err)
	}
	if !strings.Contains(out, "/lab?token=s3cret") {
		t.Errorf("the URL does not carry JUPYTER_TOKEN:\n%s", out)
	}
}

// FLOWS_SOLUTIONS=0 hands out the chapters without their solutions notebooks, in notebooks/ and originals/
// alike, and refuses a value that is neither 0 nor 1.
func TestEntrypointWithoutSolutions(t *testing.T) {
	f := newFakeImage(t, map[string]string{"01-a.ipynb": "A1", "01-a.solutions.ipynb": "S1"})
	out, err := f.run(t, []string{"FLOWS_SOLUTIONS=0"}, "prepare")
	if err != nil {
		t.Fatalf("entrypoint: %v\n%s", err, out)
	}
	for _, dir := range []string{"notebooks", "originals"} {
		if _, err := os.Stat(filepath.Join(f.work, dir, "01-a.ipynb")); err != nil {
			t.Errorf("%s/01-a.ipynb: %v", dir, err)
		}
		if _, err := os.Stat(filepath.Join(f.work, dir, "01-a.solutions.ipynb")); !os.IsNotExist(err) {
			t.Errorf("%s/01-a.solutions.ipynb: handed out with FLOWS_SOLUTIONS=0 (stat: %v)", dir, err)
		}
	}
	if out, err := f.run(t, nil, "prepare"); err != nil {
		t.Fatalf("entrypoint: %v\n%s", err, out)
	}
	if got := read(t, filepath.Join(f.work, "notebooks", "01-a.solutions.ipynb")); got != "S1" {
		t.Errorf("by default the solutions notebook is handed out; got %q", got)
	}
	out, err = f.run(t, []string{"FLOWS_SOLUTIONS=no"}, "prepare")
	if err == nil || !strings.Contains(out, "FLOWS_SOLUTIONS=no: want 1") {
		t.Errorf("FLOWS_SOLUTIONS=no: want a refusal naming it, got %v:\n%s", err, out)
	}
}

func TestEntrypointRefusesEmptyToken(t *testing.T) {
	f := newFakeImage(t, map[string]string{"01-a.ipynb": "A1"})
	out, err := f.run(t, []string{"JUPYTER_TOKEN="})
	if err == nil {
		t.Fatalf("started with an empty token:\n%s", out)
	}
	if strings.Contains(out, "would exec") || !strings.Contains(out, "requires a token") {
		t.Errorf("want a refusal before anything starts, got:\n%s", out)
	}
}

func TestEntrypointReset(t *testing.T) {
	f := newFakeImage(t, map[string]string{"01-a.ipynb": "A1", "02-b.ipynb": "B1"})
	if out, err := f.run(t, nil, "prepare"); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	write(t, filepath.Join(f.work, "notebooks", "01-a.ipynb"), "A-student")
	out, err := f.run(t, nil, "reset")
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if got := read(t, filepath.Join(f.work, "notebooks", "01-a.ipynb")); got != "A1" {
		t.Errorf("after reset notebooks/01-a.ipynb = %q, want the original", got)
	}
	backups, _ := filepath.Glob(filepath.Join(f.work, "backups", "*", "*.ipynb"))
	if len(backups) != 1 || filepath.Base(backups[0]) != "01-a.ipynb" || read(t, backups[0]) != "A-student" {
		t.Errorf("backups %v: want only the edited 01-a.ipynb with the student's content", backups)
	}
	if out, err := f.run(t, nil, "reset", "nope.ipynb"); err == nil {
		t.Errorf("reset of an unknown notebook succeeded:\n%s", out)
	}
}

func TestEntrypointRunsOtherCommands(t *testing.T) {
	f := newFakeImage(t, map[string]string{"01-a.ipynb": "A1"})
	out, err := f.run(t, nil, "jupyterhub-singleuser", "--debug")
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if got := dryRunCommand(t, out); got != "jupyterhub-singleuser --debug" {
		t.Errorf("would exec %q, want jupyterhub-singleuser --debug", got)
	}
	if _, err := os.Stat(filepath.Join(f.work, "notebooks", "01-a.ipynb")); err != nil {
		t.Errorf("work folder not prepared before the command: %v", err)
	}
}

// ---------------------------------------------------------------------------------------------------
// Build-cache warm-up, PJRT installer, shellcheck

// TestWarmServesNotebookPaths checks the point of `entrypoint.sh warm`: after it, a GoNB-style cell
// module set up by the notebooks' own first cell (which points it at ${GONB_DIR}/.., the work folder,
// and gives it the project's go.sum) compiles none of flowlib, and resolves its modules and their
// checksums with GOPROXY=off. It must not depend on Go's checksum-database cache: with GOPROXY=off
// the go command asks the checksum database host directly, which an offline image cannot reach, so
// the test also fails when `go get` had to add a checksum the project's go.sum does not hold.
func TestWarmServesNotebookPaths(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles flowlib (tens of seconds)")
	}
	root, err := filepath.Abs(repoRoot)
	if err != nil {
		t.Fatal(err)
	}
	// The image runs `go mod download` at build time (docker/Dockerfile), with the network; do the same, so
	// the module cache holds what the image's does (a build alone fetches fewer go.mod files than a cell
	// module's go get reads).
	download := exec.Command("go", "mod", "download")
	download.Dir = root
	if out, err := download.CombinedOutput(); err != nil {
		t.Fatalf("go mod download: %v\n%s", err, out)
	}
	work := filepath.Join(t.TempDir(), "work")
	cmd := exec.Command("bash", "entrypoint.sh", "warm")
	cmd.Env = append(os.Environ(), "FLOWS_HOME="+root, "FLOWS_WORK="+work)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("entrypoint.sh warm: %v\n%s", err, out)
	}

	// What GoNB does for a cell: a temp module, the notebook's first cell (a `!*` shell command run in
	// that module), go get, go build.
	firstCell := notebookFirstCell(t, filepath.Join(work, "notebooks", "00-plots-demo.ipynb"))
	shellCmd, ok := strings.CutPrefix(firstCell, "!*")
	if !ok {
		t.Fatalf("the first cell is not a `!*` shell command: %q", firstCell)
	}
	cell := t.TempDir()
	write(t, filepath.Join(cell, "main.go"), `package main

import (
	"fmt"

	_ "github.com/flowsgo/flows/flowlib/backend"
	_ "github.com/flowsgo/flows/flowlib/plots"
	_ "github.com/janpfeifer/gonb/gonbui"
)

func main() { fmt.Println("cell") }
`)
	env := append(os.Environ(), "GOPROXY=off", "GOFLAGS=", "GONB_DIR="+filepath.Join(work, "notebooks"))
	run := func(name string, args ...string) string {
		t.Helper()
		c := exec.Command(name, args...)
		c.Dir = cell
		c.Env = env
		out, err := c.CombinedOutput()
		if err != nil {
			t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	run("go", "mod", "init", "gonb_cell")
	run("bash", "-c", shellCmd)
	projectSums := readLines(t, filepath.Join(root, "go.sum"))
	run("go", "get")
	for line := range readLines(t, filepath.Join(cell, "go.sum")) {
		if !projectSums[line] {
			t.Errorf("go get added a checksum that is not in the project's go.sum (it came from the checksum "+
				"database, which an offline image cannot reach): %s", line)
		}
	}
	out := run("go", "build", "-x", "-o", filepath.Join(cell, "cell"), ".")
	if m := regexp.MustCompile(`-p (github\.com/flowsgo/flows\S*)`).FindAllStringSubmatch(out, -1); len(m) > 0 {
		var pkgs []string
		for _, p := range m {
			pkgs = append(pkgs, p[1])
		}
		t.Errorf("the cell recompiled %v: the warm-up did not fill the cache for the work folder's paths", pkgs)
	}
}

// notebookFirstCell returns the source of a notebook's first cell.
func notebookFirstCell(t *testing.T, path string) string {
	t.Helper()
	nb, err := nbformat.Read(path)
	if err != nil || len(nb.Cells) == 0 {
		t.Fatalf("reading %s: %v (no cells)", path, err)
	}
	return strings.TrimSpace(string(nb.Cells[0].Source))
}

// readLines returns the set of non-empty lines of a file.
func readLines(t *testing.T, path string) map[string]bool {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	set := map[string]bool{}
	for _, line := range strings.Split(string(data), "\n") {
		if line = strings.TrimSpace(line); line != "" {
			set[line] = true
		}
	}
	return set
}

func TestPJRTInstallerOffline(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the XLA backend")
	}
	bin := filepath.Join(t.TempDir(), "pjrt-install")
	build := exec.Command("go", "build", "-o", bin, "./pjrt-install")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	// -check never downloads: 0 with a plugin installed, 3 without (these machines have none).
	out, err := exec.Command(bin, "-check").CombinedOutput()
	if code := exitCode(err); code != 0 && code != 3 {
		t.Errorf("-check exited %d:\n%s", code, out)
	}
	if code := exitCode(exec.Command(bin, "-plugin", "tpu").Run()); code != 2 {
		t.Errorf("-plugin tpu exited %d, want 2 (usage)", code)
	}
	if out, err := exec.Command(bin, "-plugin", "none").CombinedOutput(); err != nil {
		t.Errorf("-plugin none: %v\n%s", err, out)
	}
}

func exitCode(err error) int {
	if err == nil {
		return 0
	}
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode()
	}
	return -1
}

func TestShellcheck(t *testing.T) {
	sc, err := exec.LookPath("shellcheck")
	if err != nil {
		t.Skip("shellcheck not installed (apt-get install shellcheck)")
	}
	scripts, _ := filepath.Glob("*.sh")
	if len(scripts) == 0 {
		t.Fatal("no scripts")
	}
	if out, err := exec.Command(sc, append([]string{"-x"}, scripts...)...).CombinedOutput(); err != nil {
		t.Errorf("shellcheck %v: %v\n%s", scripts, err, out)
	}
	// The HEALTHCHECK's command runs under /bin/sh: check it as sh.
	_, stages := parseDockerfile(t, "Dockerfile")
	if hc, ok := lastInChain(stages, stages[len(stages)-1], "HEALTHCHECK"); ok {
		_, shellCmd, _ := strings.Cut(hc.Args, "CMD ")
		c := exec.Command(sc, "-s", "sh", "-")
		c.Stdin = strings.NewReader("#!/bin/sh\n" + shellCmd + "\n")
		if out, err := c.CombinedOutput(); err != nil {
			t.Errorf("HEALTHCHECK command: %v\n%s", err, out)
		}
	}
}

// TestImageHasEveryPackageItBuilds: the image copies named folders only, so every package of this module that
// the image compiles (flowlib for the notebooks, tools/nbrun for the smoke test) must sit under a COPY'd folder.
// The pristine run found internal/nbformat missing only when the image's nbrun failed to build.
func TestImageHasEveryPackageItBuilds(t *testing.T) {
	df, err := os.ReadFile("Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	var copied []string
	for _, line := range strings.Split(string(df), "\n") {
		if f := strings.Fields(line); len(f) == 3 && f[0] == "COPY" && !strings.HasPrefix(f[1], "--") {
			copied = append(copied, strings.TrimSuffix(f[1], "/")+"/")
		}
	}
	out, err := exec.Command("go", "list", "-deps", "-f", "{{if .Module}}{{if .Module.Main}}{{.Dir}}{{end}}{{end}}",
		"../flowlib/...", "../tools/nbrun").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	for _, dir := range strings.Fields(string(out)) {
		rel, err := filepath.Rel(root, dir)
		if err != nil {
			t.Fatal(err)
		}
		rel = filepath.ToSlash(rel) + "/"
		ok := false
		for _, c := range copied {
			ok = ok || strings.HasPrefix(rel, c)
		}
		if !ok {
			t.Errorf("package folder %s is compiled in the image but no COPY in docker/Dockerfile brings it (COPY'd: %v)", rel, copied)
		}
	}
}
