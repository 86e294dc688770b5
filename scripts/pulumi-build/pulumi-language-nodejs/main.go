// Command pulumi-language-nodejs is Mailplane's minimal Pulumi language host for
// Node.js programs, built by scripts/install-pulumi next to the Pulumi CLI.
//
// Why it exists: the upstream host lives in its own, untagged Go module
// (github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3), and the Go module
// proxy we can reach refuses every version of it ("403 This module version is not
// available"). This host speaks the same gRPC protocol (pulumirpc.LanguageRuntime from
// github.com/pulumi/pulumi/sdk/v3) and runs programs the same way: it spawns
// `node <@pulumi/pulumi/cmd/run> --monitor ... <program>` with PULUMI_CONFIG and
// PULUMI_CONFIG_SECRET_KEYS in the environment.
//
// Implemented: Run, GetRequiredPackages (and the deprecated GetRequiredPlugins),
// GetPluginInfo, About, GetProgramDependencies, InstallDependencies, and RunPlugin for policy
// packs (kind "analyzer": `pulumi preview --policy-pack <dir>` runs
// `node <@pulumi/pulumi/cmd/run-policy-pack> <engine-address> <pack dir>`). Everything else
// (code generation, packing, RunPlugin for Node.js component providers, synchronous invokes
// over --sync pipes) answers Unimplemented.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/cmdutil"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/logging"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	"github.com/pulumi/pulumi/sdk/v3/go/common/version"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

const (
	runModule           = "@pulumi/pulumi/cmd/run"
	runPolicyPackModule = "@pulumi/pulumi/cmd/run-policy-pack"
	// Exit code of @pulumi/pulumi/cmd/run meaning "the user already saw an actionable error".
	exitAfterUserActionableMessage = 32
)

func main() {
	var tracing, root string
	var typescript bool
	flag.StringVar(&tracing, "tracing", "", "Emit tracing to a Zipkin-compatible tracing endpoint")
	flag.BoolVar(&typescript, "typescript", true, "Use ts-node at runtime to support typescript source natively")
	flag.StringVar(&root, "root", "", "Project root path to use (unused; accepted for compatibility)")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(),
			"pulumi-language-nodejs %s (Mailplane minimal language host)\n\nusage: %s [flags] <engine-address>\n",
			pluginVersion(), os.Args[0])
		flag.PrintDefaults()
	}
	flag.Parse() // -v / -logtostderr are registered by glog through the logging package.
	logging.InitLogging(false, 0, false)

	var engineAddress string
	if args := flag.Args(); len(args) > 0 {
		engineAddress = args[0]
	}

	host := &nodeLanguageHost{engineAddress: engineAddress, tracing: tracing, typescript: typescript}
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(srv, host)
			return nil
		},
		Options: rpcutil.TracingServerInterceptorOptions(nil),
	})
	if err != nil {
		cmdutil.Exit(fmt.Errorf("could not start language host RPC server: %w", err))
	}
	// The engine reads the port from our first line of stdout.
	fmt.Printf("%d\n", handle.Port)
	if err := <-handle.Done; err != nil {
		cmdutil.Exit(fmt.Errorf("language host RPC stopped serving: %w", err))
	}
}

func pluginVersion() string {
	if version.Version != "" {
		return version.Version
	}
	return "v3.0.0-dev"
}

type nodeLanguageHost struct {
	pulumirpc.UnimplementedLanguageRuntimeServer

	engineAddress string
	tracing       string
	typescript    bool
}

func (h *nodeLanguageHost) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: pluginVersion()}, nil
}

// ---------------------------------------------------------------------------------------------
// Program location and options.

type programOptions struct {
	typescript bool
	tsconfig   string
	nodeargs   []string
	packageMgr string
}

func (h *nodeLanguageHost) options(s *structpb.Struct) programOptions {
	o := programOptions{typescript: h.typescript}
	if s == nil {
		return o
	}
	m := s.AsMap()
	if v, ok := m["typescript"].(bool); ok {
		o.typescript = v
	}
	if v, ok := m["tsconfig"].(string); ok {
		o.tsconfig = v
	}
	if v, ok := m["nodeargs"].(string); ok {
		o.nodeargs = strings.Fields(v)
	}
	if v, ok := m["packagemanager"].(string); ok {
		o.packageMgr = v
	}
	return o
}

func programDir(info *pulumirpc.ProgramInfo, fallback string) string {
	if info != nil && info.ProgramDirectory != "" {
		return info.ProgramDirectory
	}
	if fallback != "" {
		return fallback
	}
	wd, _ := os.Getwd()
	return wd
}

func nodeBinary() (string, error) {
	node, err := exec.LookPath("node")
	if err != nil {
		return "", fmt.Errorf("could not find node on the $PATH: %w", err)
	}
	return node, nil
}

// resolveModule asks node to resolve a module the way the program itself would, starting
// from the given directories (the program directory first).
func resolveModule(node, module string, dirs ...string) (string, error) {
	paths, err := json.Marshal(dirs)
	if err != nil {
		return "", err
	}
	script := fmt.Sprintf("console.log(require.resolve(%q, {paths: %s}))", module, paths)
	cmd := exec.Command(node, "-e", script)
	if len(dirs) > 0 {
		cmd.Dir = dirs[0]
	}
	out, err := cmd.Output()
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(string(out)), nil
}

// ---------------------------------------------------------------------------------------------
// Run.

func (h *nodeLanguageHost) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	node, err := nodeBinary()
	if err != nil {
		return nil, err
	}
	info := req.GetInfo()
	dir := programDir(info, req.GetPwd())
	opts := h.options(info.GetOptions())

	runPath := os.Getenv("PULUMI_LANGUAGE_NODEJS_RUN_PATH")
	if runPath == "" {
		dirs := []string{dir}
		if info.GetRootDirectory() != "" && info.GetRootDirectory() != dir {
			dirs = append(dirs, info.GetRootDirectory())
		}
		if runPath, err = resolveModule(node, runModule, dirs...); err != nil {
			return &pulumirpc.RunResponse{Error: fmt.Sprintf(
				"could not resolve %s from %s: it looks like the Pulumi SDK has not been installed. "+
					"Have you run npm install (or pnpm/yarn install)?", runModule, dir)}, nil
		}
	}

	args := append([]string{}, opts.nodeargs...)
	args = append(args, runPath)
	add := func(k, v string) {
		if v != "" {
			args = append(args, "--"+k, v)
		}
	}
	add("monitor", req.GetMonitorAddress())
	add("engine", h.engineAddress)
	add("organization", req.GetOrganization())
	add("project", req.GetProject())
	add("root-directory", info.GetRootDirectory())
	add("stack", req.GetStack())
	add("pwd", req.GetPwd())
	if req.GetDryRun() {
		args = append(args, "--dry-run")
	}
	add("parallel", strconv.Itoa(int(req.GetParallel())))
	add("tracing", h.tracing)
	entry := info.GetEntryPoint()
	if entry == "" {
		entry = req.GetProgram() //nolint:staticcheck // set by older engines
	}
	if entry == "" {
		entry = "."
	}
	args = append(args, entry)
	args = append(args, req.GetArgs()...)

	config := req.GetConfig()
	if config == nil {
		config = map[string]string{}
	}
	configJSON, err := json.Marshal(config)
	if err != nil {
		return nil, fmt.Errorf("failed to serialize configuration: %w", err)
	}
	secretKeys := req.GetConfigSecretKeys()
	if secretKeys == nil {
		secretKeys = []string{}
	}
	secretKeysJSON, err := json.Marshal(secretKeys)
	if err != nil {
		return nil, fmt.Errorf("failed to serialize configuration secret keys: %w", err)
	}

	env := append(os.Environ(),
		"PULUMI_CONFIG="+string(configJSON),
		"PULUMI_CONFIG_SECRET_KEYS="+string(secretKeysJSON))
	if opts.typescript {
		env = append(env, "PULUMI_NODEJS_TYPESCRIPT=true")
	}
	if opts.tsconfig != "" {
		env = append(env, "PULUMI_NODEJS_TSCONFIG_PATH="+opts.tsconfig)
	}

	logging.V(5).Infof("language host launching: %s %s", node, strings.Join(args, " "))
	cmd := exec.Command(node, args...) //nolint:gosec // running the user's program is the point
	cmd.Dir = dir
	cmd.Env = env
	cmd.Stdout = os.Stdout
	cmd.Stderr = os.Stderr
	err = cmd.Run()
	// Node may leave buffered writes behind; make sure the engine sees them.
	_ = os.Stdout.Sync()
	_ = os.Stderr.Sync()
	if err == nil {
		return &pulumirpc.RunResponse{}, nil
	}
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		switch code := exitErr.ExitCode(); code {
		case exitAfterUserActionableMessage:
			return &pulumirpc.RunResponse{Bail: true}, nil
		case 0:
			return &pulumirpc.RunResponse{Error: fmt.Sprintf("Program exited unexpectedly: %v", err)}, nil
		default:
			return &pulumirpc.RunResponse{Error: fmt.Sprintf("Program exited with non-zero exit code: %d", code)}, nil
		}
	}
	return &pulumirpc.RunResponse{Error: fmt.Sprintf(
		"Problem executing program (could not run language executor): %v", err)}, nil
}

// ---------------------------------------------------------------------------------------------
// Required packages: every installed npm dependency (transitively) whose package.json has
// `"pulumi": {"resource": true}` needs a resource plugin.

type packageJSON struct {
	Name                 string            `json:"name"`
	Version              string            `json:"version"`
	Dependencies         map[string]string `json:"dependencies"`
	DevDependencies      map[string]string `json:"devDependencies"`
	OptionalDependencies map[string]string `json:"optionalDependencies"`
	Pulumi               struct {
		Resource                  bool                  `json:"resource"`
		Name                      string                `json:"name"`
		Version                   string                `json:"version"`
		Server                    string                `json:"server"`
		Parameterization          *parameterizationJSON `json:"parameterization"`
		ExtensionParameterization *parameterizationJSON `json:"extensionParameterization"`
	} `json:"pulumi"`
}

type parameterizationJSON struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	Value   []byte `json:"value"`
}

func readPackageJSON(dir string) (*packageJSON, error) {
	b, err := os.ReadFile(filepath.Join(dir, "package.json"))
	if err != nil {
		return nil, err
	}
	var p packageJSON
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, fmt.Errorf("parsing %s: %w", filepath.Join(dir, "package.json"), err)
	}
	return &p, nil
}

// packageRoot walks up from dir to the nearest directory holding a package.json.
func packageRoot(dir string) string {
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "package.json")); err == nil {
			return d
		}
		if filepath.Dir(d) == d {
			return dir
		}
	}
}

// resolveDependency finds the installed directory of npm package name as seen from the
// package in dir, following Node's node_modules lookup (which also works for pnpm's
// symlinked layout once dir is a real path).
func resolveDependency(dir, name string) (string, bool) {
	for d := dir; ; d = filepath.Dir(d) {
		if filepath.Base(d) != "node_modules" {
			candidate := filepath.Join(d, "node_modules", name)
			if st, err := os.Stat(filepath.Join(candidate, "package.json")); err == nil && !st.IsDir() {
				if real, err := filepath.EvalSymlinks(candidate); err == nil {
					return real, true
				}
				return candidate, true
			}
		}
		if filepath.Dir(d) == d {
			return "", false
		}
	}
}

func pluginName(p *packageJSON) string {
	if p.Pulumi.Name != "" {
		return p.Pulumi.Name
	}
	if strings.HasPrefix(p.Name, "@pulumi/") {
		return strings.TrimPrefix(p.Name, "@pulumi/")
	}
	return strings.TrimPrefix(p.Name, "@")
}

func pluginVersionOf(p *packageJSON) string {
	v := p.Pulumi.Version
	if v == "" {
		v = p.Version
	}
	if v != "" && !strings.HasPrefix(v, "v") {
		v = "v" + v
	}
	return v
}

func toParameterization(p *parameterizationJSON) *pulumirpc.PackageParameterization {
	if p == nil {
		return nil
	}
	return &pulumirpc.PackageParameterization{Name: p.Name, Version: p.Version, Value: p.Value}
}

// installedDependencies returns the installed packages reachable from the program's
// package.json (all dependency kinds at the top, runtime dependencies below that).
func installedDependencies(dir string, transitive bool) ([]*packageJSON, error) {
	root := packageRoot(dir)
	if real, err := filepath.EvalSymlinks(root); err == nil {
		root = real
	}
	top, err := readPackageJSON(root)
	if err != nil {
		if os.IsNotExist(err) {
			return nil, nil
		}
		return nil, err
	}
	type item struct {
		dir  string
		pkg  *packageJSON
		deps map[string]string
	}
	merge := func(ms ...map[string]string) map[string]string {
		out := map[string]string{}
		for _, m := range ms {
			for k, v := range m {
				out[k] = v
			}
		}
		return out
	}
	seen := map[string]bool{root: true}
	var result []*packageJSON
	queue := []item{{dir: root, pkg: top,
		deps: merge(top.Dependencies, top.DevDependencies, top.OptionalDependencies)}}
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		names := make([]string, 0, len(cur.deps))
		for n := range cur.deps {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, name := range names {
			depDir, ok := resolveDependency(cur.dir, name)
			if !ok || seen[depDir] {
				continue
			}
			seen[depDir] = true
			p, err := readPackageJSON(depDir)
			if err != nil {
				logging.V(3).Infof("skipping %s: %v", depDir, err)
				continue
			}
			result = append(result, p)
			if transitive {
				queue = append(queue, item{dir: depDir, pkg: p,
					deps: merge(p.Dependencies, p.OptionalDependencies)})
			}
		}
	}
	return result, nil
}

func requiredPackages(dir string) ([]*pulumirpc.PackageDependency, error) {
	deps, err := installedDependencies(dir, true)
	if err != nil {
		return nil, err
	}
	var out []*pulumirpc.PackageDependency
	seen := map[string]bool{}
	for _, p := range deps {
		if !p.Pulumi.Resource {
			continue
		}
		dep := &pulumirpc.PackageDependency{
			Name:             pluginName(p),
			Kind:             "resource",
			Version:          pluginVersionOf(p),
			Server:           p.Pulumi.Server,
			Parameterization: toParameterization(p.Pulumi.Parameterization),
			Extension:        toParameterization(p.Pulumi.ExtensionParameterization),
		}
		key := dep.Name + "@" + dep.Version
		if dep.Parameterization != nil {
			key += "/" + dep.Parameterization.Name + "@" + dep.Parameterization.Version
		}
		if seen[key] {
			continue
		}
		seen[key] = true
		out = append(out, dep)
	}
	return out, nil
}

func (h *nodeLanguageHost) GetRequiredPackages(
	_ context.Context, req *pulumirpc.GetRequiredPackagesRequest,
) (*pulumirpc.GetRequiredPackagesResponse, error) {
	pkgs, err := requiredPackages(programDir(req.GetInfo(), ""))
	if err != nil {
		return nil, err
	}
	return &pulumirpc.GetRequiredPackagesResponse{Packages: pkgs}, nil
}

//nolint:staticcheck // deprecated RPC, still called by older engines
func (h *nodeLanguageHost) GetRequiredPlugins(
	_ context.Context, req *pulumirpc.GetRequiredPluginsRequest,
) (*pulumirpc.GetRequiredPluginsResponse, error) {
	pkgs, err := requiredPackages(programDir(req.GetInfo(), req.GetPwd()))
	if err != nil {
		return nil, err
	}
	var plugins []*pulumirpc.PluginDependency
	for _, p := range pkgs {
		if p.Parameterization != nil {
			continue
		}
		plugins = append(plugins, &pulumirpc.PluginDependency{
			Name: p.Name, Kind: p.Kind, Version: p.Version, Server: p.Server,
		})
	}
	return &pulumirpc.GetRequiredPluginsResponse{Plugins: plugins}, nil
}

// ---------------------------------------------------------------------------------------------
// About / dependencies / install.

func (h *nodeLanguageHost) About(context.Context, *pulumirpc.AboutRequest) (*pulumirpc.AboutResponse, error) {
	node, err := nodeBinary()
	if err != nil {
		return nil, err
	}
	out, err := exec.Command(node, "--version").Output()
	if err != nil {
		return nil, fmt.Errorf("running %s --version: %w", node, err)
	}
	return &pulumirpc.AboutResponse{
		Executable: node,
		Version:    strings.TrimPrefix(strings.TrimSpace(string(out)), "v"),
	}, nil
}

func (h *nodeLanguageHost) GetProgramDependencies(
	_ context.Context, req *pulumirpc.GetProgramDependenciesRequest,
) (*pulumirpc.GetProgramDependenciesResponse, error) {
	deps, err := installedDependencies(programDir(req.GetInfo(), req.GetPwd()), req.GetTransitiveDependencies())
	if err != nil {
		return nil, err
	}
	resp := &pulumirpc.GetProgramDependenciesResponse{}
	for _, p := range deps {
		resp.Dependencies = append(resp.Dependencies, &pulumirpc.DependencyInfo{Name: p.Name, Version: p.Version})
	}
	return resp, nil
}

// detectPackageManager honours the `packagemanager` runtime option, then lock files.
func detectPackageManager(opt, dir string) string {
	if opt != "" {
		return opt
	}
	for d := dir; ; d = filepath.Dir(d) {
		for file, pm := range map[string]string{
			"pnpm-lock.yaml": "pnpm", "yarn.lock": "yarn", "bun.lock": "bun", "bun.lockb": "bun",
			"package-lock.json": "npm",
		} {
			if _, err := os.Stat(filepath.Join(d, file)); err == nil {
				return pm
			}
		}
		if filepath.Dir(d) == d {
			return "npm"
		}
	}
}

type streamWriter struct {
	mu     *sync.Mutex
	send   func(*pulumirpc.InstallDependenciesResponse) error
	stderr bool
}

func (w streamWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	b := append([]byte(nil), p...)
	resp := &pulumirpc.InstallDependenciesResponse{Stdout: b}
	if w.stderr {
		resp = &pulumirpc.InstallDependenciesResponse{Stderr: b}
	}
	if err := w.send(resp); err != nil {
		return 0, err
	}
	return len(p), nil
}

func (h *nodeLanguageHost) InstallDependencies(
	req *pulumirpc.InstallDependenciesRequest, server pulumirpc.LanguageRuntime_InstallDependenciesServer,
) error {
	dir := programDir(req.GetInfo(), req.GetDirectory()) //nolint:staticcheck
	pm := detectPackageManager(h.options(req.GetInfo().GetOptions()).packageMgr, dir)
	path, err := exec.LookPath(pm)
	if err != nil {
		return fmt.Errorf("could not find %s on the $PATH: %w", pm, err)
	}
	var mu sync.Mutex
	cmd := exec.Command(path, "install")
	cmd.Dir = packageRoot(dir)
	cmd.Stdout = io.Writer(streamWriter{mu: &mu, send: server.Send})
	cmd.Stderr = io.Writer(streamWriter{mu: &mu, send: server.Send, stderr: true})
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s install failed in %s: %w", pm, cmd.Dir, err)
	}
	return nil
}

// ---------------------------------------------------------------------------------------------
// RunPlugin: Node.js policy packs. The engine finds this host for a PulumiPolicy.yaml with
// `runtime: nodejs` and asks it to start the pack; the pack's gRPC analyzer prints its port on
// stdout, which is streamed back to the engine like the rest of its output.

func (h *nodeLanguageHost) RunPlugin(
	req *pulumirpc.RunPluginRequest, server pulumirpc.LanguageRuntime_RunPluginServer,
) error {
	if req.GetKind() != "analyzer" {
		return status.Errorf(codes.Unimplemented,
			"this language host runs Node.js policy packs only (plugin kind %q)", req.GetKind())
	}
	node, err := nodeBinary()
	if err != nil {
		return err
	}
	info := req.GetInfo()
	dir := programDir(info, req.GetPwd())
	opts := h.options(info.GetOptions())
	runPath, err := resolveModule(node, runPolicyPackModule, dir)
	if err != nil {
		return fmt.Errorf("could not resolve %s from the policy pack %s: "+
			"run npm install (or pnpm install) there", runPolicyPackModule, dir)
	}
	closer, stdout, stderr, err := rpcutil.MakeRunPluginStreams(server, false)
	if err != nil {
		return err
	}
	defer closer.Close()

	args := append([]string{}, opts.nodeargs...)
	args = append(args, runPath)
	args = append(args, req.GetArgs()...) // the engine's address
	args = append(args, dir)
	env := req.GetEnv()
	if len(env) == 0 {
		env = os.Environ()
	}
	if opts.typescript {
		env = append(env, "PULUMI_NODEJS_TYPESCRIPT=true")
	}
	logging.V(5).Infof("language host launching policy pack: %s %s", node, strings.Join(args, " "))
	cmd := exec.CommandContext(server.Context(), node, args...) //nolint:gosec // the user's pack
	cmd.Dir = dir
	cmd.Env = env
	cmd.Stdout = stdout
	cmd.Stderr = stderr
	code := int32(0)
	if err := cmd.Run(); err != nil {
		var exitErr *exec.ExitError
		if !errors.As(err, &exitErr) {
			return fmt.Errorf("could not run the policy pack in %s: %w", dir, err)
		}
		code = int32(exitErr.ExitCode())
	}
	return server.Send(&pulumirpc.RunPluginResponse{
		Output: &pulumirpc.RunPluginResponse_Exitcode{Exitcode: code},
	})
}
