// Command pulumi-language-nodejs is a minimal Node.js language host for the Pulumi engine.
//
// The upstream host (module github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3)
// cannot be fetched on machines that only reach the Go module proxy, so scripts/ensure-pulumi
// builds this one instead. It covers what `pulumi preview/up/refresh/destroy` and the
// Automation API need: it launches `node <@pulumi/pulumi>/cmd/run <program>` exactly like the
// real host (same flags, same environment) and reports the result. Code generation, packing,
// linking and templates are left unimplemented.
//
// Differences from upstream, on purpose:
//   - no resource-monitor proxy and no synchronous-invoke pipes: @pulumi/pulumi 3.248 never
//     opens the `--sync` directory, so the program talks to the engine's monitor directly;
//   - InstallDependencies does not run a package manager (dependencies are installed by the
//     repository's own `npm install`);
//   - GetRequiredPackages only looks at <program>/node_modules (the engine loads any other
//     provider on demand when the program registers a resource).
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
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/shlex"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/emptypb"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/config"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/cmdutil"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/logging"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// version is stamped by scripts/ensure-pulumi (-X main.version=...), so that `pulumi about`
// and plugin listings show the CLI version this host was built for.
var version = "3.248.0"

// exitCodeUserActionable is what @pulumi/pulumi/cmd/run exits with after it has already
// printed a readable error; the engine must then stop without adding a message of its own.
const exitCodeUserActionable = 32

func main() {
	// The engine passes `--tracing URL`, `--logtostderr` and `-v=N` (the latter two are
	// registered on the default flag set by the logging package) before the engine address.
	tracing := flag.String("tracing", "", "Zipkin-compatible tracing endpoint")
	showVersion := flag.Bool("version", false, "print the plugin version and exit")
	flag.Parse()
	if *showVersion {
		fmt.Println(version)
		return
	}
	logging.InitLogging(false, 0, false)

	engineAddress := flag.Arg(0)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	cancel := make(chan bool)
	go func() { <-ctx.Done(); close(cancel) }()

	// Exit when the engine goes away, so that a killed `pulumi` never leaves us running.
	if engineAddress != "" {
		if err := rpcutil.Healthcheck(ctx, engineAddress, 5*time.Minute, stop); err != nil {
			cmdutil.Exit(fmt.Errorf("could not start health check: %w", err))
		}
	}

	host := &nodeHost{engineAddress: engineAddress, tracing: *tracing}
	host.cancelCtx, host.cancelAll = context.WithCancel(context.Background())
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Cancel: cancel,
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(srv, host)
			return nil
		},
	})
	if err != nil {
		cmdutil.Exit(fmt.Errorf("could not start language host RPC server: %w", err))
	}

	// The engine reads the first line of our stdout as the port to dial.
	fmt.Printf("%d\n", handle.Port)

	if err := <-handle.Done; err != nil {
		cmdutil.Exit(fmt.Errorf("language host RPC stopped serving: %w", err))
	}
}

type nodeHost struct {
	pulumirpc.UnimplementedLanguageRuntimeServer

	mu            sync.Mutex
	engineAddress string
	tracing       string

	// cancelCtx is cancelled by the Cancel RPC and interrupts every running program.
	cancelCtx context.Context
	cancelAll context.CancelFunc
}

func (h *nodeHost) engine() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.engineAddress
}

func (h *nodeHost) Handshake(_ context.Context,
	req *pulumirpc.LanguageHandshakeRequest,
) (*pulumirpc.LanguageHandshakeResponse, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if req.GetEngineAddress() != "" {
		h.engineAddress = req.GetEngineAddress()
	}
	return &pulumirpc.LanguageHandshakeResponse{}, nil
}

func (h *nodeHost) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: version}, nil
}

func (h *nodeHost) Cancel(context.Context, *emptypb.Empty) (*emptypb.Empty, error) {
	h.cancelAll()
	return &emptypb.Empty{}, nil
}

// GetRequiredPlugins is the pre-GetRequiredPackages API; older engines still call it.
func (h *nodeHost) GetRequiredPlugins(_ context.Context,
	req *pulumirpc.GetRequiredPluginsRequest,
) (*pulumirpc.GetRequiredPluginsResponse, error) {
	var plugins []*pulumirpc.PluginDependency
	for _, p := range scanPackages(req.GetInfo().GetProgramDirectory()) {
		plugins = append(plugins, &pulumirpc.PluginDependency{
			Name: p.Name, Kind: p.Kind, Version: p.Version, Server: p.Server,
		})
	}
	return &pulumirpc.GetRequiredPluginsResponse{Plugins: plugins}, nil
}

// GetRequiredPackages lets the engine make sure provider plugins exist before the program
// runs. An incomplete answer is harmless: missing providers are loaded when first used.
func (h *nodeHost) GetRequiredPackages(_ context.Context,
	req *pulumirpc.GetRequiredPackagesRequest,
) (*pulumirpc.GetRequiredPackagesResponse, error) {
	return &pulumirpc.GetRequiredPackagesResponse{
		Packages: scanPackages(req.GetInfo().GetProgramDirectory()),
	}, nil
}

// scanPackages reads <dir>/node_modules/{pkg,@scope/pkg}/package.json and reports the ones
// marked `"pulumi": {"resource": true}`, named as the upstream host names them.
func scanPackages(dir string) []*pulumirpc.PackageDependency {
	if dir == "" {
		return nil
	}
	var manifests []string
	for _, pattern := range []string{"*/package.json", "@*/*/package.json"} {
		m, _ := filepath.Glob(filepath.Join(dir, "node_modules", pattern))
		manifests = append(manifests, m...)
	}
	var out []*pulumirpc.PackageDependency
	for _, path := range manifests {
		b, err := os.ReadFile(path)
		if err != nil {
			continue
		}
		var pkg struct {
			Name    string `json:"name"`
			Version string `json:"version"`
			Pulumi  struct {
				Resource bool   `json:"resource"`
				Name     string `json:"name"`
				Version  string `json:"version"`
				Server   string `json:"server"`
			} `json:"pulumi"`
		}
		if json.Unmarshal(b, &pkg) != nil || !pkg.Pulumi.Resource {
			continue
		}
		name := pkg.Pulumi.Name
		if name == "" && strings.HasPrefix(pkg.Name, "@pulumi/") {
			name = strings.TrimPrefix(pkg.Name, "@pulumi/")
		}
		ver := pkg.Pulumi.Version
		if ver == "" {
			ver = pkg.Version
		}
		if name == "" || ver == "" {
			continue
		}
		if !strings.HasPrefix(ver, "v") {
			ver = "v" + ver
		}
		out = append(out, &pulumirpc.PackageDependency{
			Name: name, Kind: "resource", Version: ver, Server: pkg.Pulumi.Server,
		})
	}
	return out
}

// InstallDependencies is called by `pulumi install`, `pulumi new` and the Automation API's
// install step. Installing is the repository's job (`npm install` at its root), so this only
// reports that nothing was done instead of failing the whole operation.
func (h *nodeHost) InstallDependencies(req *pulumirpc.InstallDependenciesRequest,
	stream pulumirpc.LanguageRuntime_InstallDependenciesServer,
) error {
	msg := "pulumi-language-nodejs (minimal host): skipping dependency installation; run `npm install` yourself\n"
	return stream.Send(&pulumirpc.InstallDependenciesResponse{Stdout: []byte(msg)})
}

func (h *nodeHost) RuntimeOptionsPrompts(context.Context,
	*pulumirpc.RuntimeOptionsRequest,
) (*pulumirpc.RuntimeOptionsResponse, error) {
	return &pulumirpc.RuntimeOptionsResponse{}, nil
}

func (h *nodeHost) About(context.Context, *pulumirpc.AboutRequest) (*pulumirpc.AboutResponse, error) {
	node, err := exec.LookPath("node")
	if err != nil {
		return nil, fmt.Errorf("could not find node on the $PATH: %w", err)
	}
	out, err := exec.Command(node, "--version").Output()
	if err != nil {
		return nil, fmt.Errorf("running node --version: %w", err)
	}
	return &pulumirpc.AboutResponse{
		Executable: node,
		Version:    strings.TrimPrefix(strings.TrimSpace(string(out)), "v"),
	}, nil
}

// GetProgramDependencies feeds `pulumi about`; the packages named in the program's nearest
// package.json are a good enough answer.
func (h *nodeHost) GetProgramDependencies(_ context.Context,
	req *pulumirpc.GetProgramDependenciesRequest,
) (*pulumirpc.GetProgramDependenciesResponse, error) {
	resp := &pulumirpc.GetProgramDependenciesResponse{}
	for dir := req.GetInfo().GetProgramDirectory(); dir != "" && dir != filepath.Dir(dir); dir = filepath.Dir(dir) {
		b, err := os.ReadFile(filepath.Join(dir, "package.json"))
		if err != nil {
			continue
		}
		var pkg struct {
			Dependencies    map[string]string `json:"dependencies"`
			DevDependencies map[string]string `json:"devDependencies"`
		}
		if json.Unmarshal(b, &pkg) == nil {
			for _, deps := range []map[string]string{pkg.Dependencies, pkg.DevDependencies} {
				for name, ver := range deps {
					resp.Dependencies = append(resp.Dependencies, &pulumirpc.DependencyInfo{Name: name, Version: ver})
				}
			}
		}
		break
	}
	return resp, nil
}

// Run executes the program through @pulumi/pulumi's own runner, so that everything the SDK
// does for a program (ts-node registration, config, uncaught-error reporting) happens as with
// the upstream host.
func (h *nodeHost) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	info := req.GetInfo()
	if info == nil {
		// Engines older than ProgramInfo only sent pwd/program.
		info = &pulumirpc.ProgramInfo{ProgramDirectory: req.GetPwd(), EntryPoint: req.GetProgram()}
	}
	if info.EntryPoint == "" {
		info.EntryPoint = "."
	}
	node, err := exec.LookPath("node")
	if err != nil {
		return &pulumirpc.RunResponse{Error: "could not find node on the $PATH: " + err.Error()}, nil
	}
	runPath := os.Getenv("PULUMI_LANGUAGE_NODEJS_RUN_PATH")
	if runPath == "" {
		runPath = "@pulumi/pulumi/cmd/run"
	}
	// Resolve from the program directory so the program's own @pulumi/pulumi (found by
	// walking up node_modules folders) runs it.
	if runPath, err = resolveModule(node, runPath, info.ProgramDirectory); err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}

	opts := info.GetOptions().AsMap()
	env := os.Environ()
	cfg, err := configJSON(req.GetConfig())
	if err != nil {
		return &pulumirpc.RunResponse{Error: "failed to serialize configuration: " + err.Error()}, nil
	}
	secretKeys := req.GetConfigSecretKeys()
	if secretKeys == nil {
		secretKeys = []string{}
	}
	secretJSON, err := json.Marshal(secretKeys)
	if err != nil {
		return nil, err
	}
	env = append(env, "PULUMI_CONFIG="+cfg, "PULUMI_CONFIG_SECRET_KEYS="+string(secretJSON))
	// `runtime.options.typescript` defaults to true: the runner then registers ts-node.
	if ts, ok := opts["typescript"].(bool); !ok || ts {
		env = append(env, "PULUMI_NODEJS_TYPESCRIPT=true")
	}
	if tsconfig, ok := opts["tsconfig"].(string); ok && tsconfig != "" {
		env = append(env, "PULUMI_NODEJS_TSCONFIG_PATH="+tsconfig)
	}
	var nodeArgs []string
	if s, ok := opts["nodeargs"].(string); ok {
		if nodeArgs, err = shlex.Split(s); err != nil {
			return &pulumirpc.RunResponse{Error: "invalid nodeargs: " + err.Error()}, nil
		}
	}

	args := append(nodeArgs, runPath)
	flagArg := func(name, value string) {
		if value != "" {
			args = append(args, "--"+name, value)
		}
	}
	flagArg("monitor", req.GetMonitorAddress())
	flagArg("engine", h.engine())
	flagArg("organization", req.GetOrganization())
	flagArg("project", req.GetProject())
	flagArg("root-directory", info.RootDirectory)
	flagArg("stack", req.GetStack())
	flagArg("pwd", info.ProgramDirectory)
	if req.GetDryRun() {
		args = append(args, "--dry-run")
	}
	flagArg("parallel", strconv.Itoa(int(req.GetParallel())))
	flagArg("tracing", h.tracing)
	args = append(args, info.EntryPoint)
	args = append(args, req.GetArgs()...)
	logging.V(5).Infof("launching %s %s", node, strings.Join(args, " "))

	// Stop the program when the engine cancels (Cancel RPC) or abandons the call; an interrupt
	// first lets the SDK flush, a kill follows if it does not exit.
	cmdCtx, cmdCancel := context.WithCancel(h.cancelCtx)
	defer cmdCancel()
	stopWatch := context.AfterFunc(ctx, cmdCancel)
	defer stopWatch()
	cmd := exec.CommandContext(cmdCtx, node, args...)
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 5 * time.Second
	cmd.Env = env
	// Wrapping the writers makes exec copy through pipes: node may switch a shared stdout/
	// stderr descriptor to non-blocking mode, which would then break our own writes.
	cmd.Stdout = struct{ io.Writer }{os.Stdout}
	cmd.Stderr = struct{ io.Writer }{os.Stderr}

	err = cmd.Run()
	_ = os.Stdout.Sync()
	_ = os.Stderr.Sync()
	var exitErr *exec.ExitError
	switch {
	case err == nil:
		return &pulumirpc.RunResponse{}, nil
	case errors.As(err, &exitErr) && exitErr.ExitCode() == exitCodeUserActionable:
		return &pulumirpc.RunResponse{Bail: true}, nil
	case errors.As(err, &exitErr) && exitErr.ExitCode() > 0:
		return &pulumirpc.RunResponse{
			Error: fmt.Sprintf("Program exited with non-zero exit code: %d", exitErr.ExitCode()),
		}, nil
	case errors.As(err, &exitErr):
		return &pulumirpc.RunResponse{Error: "Program exited unexpectedly: " + err.Error()}, nil
	default:
		return &pulumirpc.RunResponse{
			Error: "Problem executing program (could not run language executor): " + err.Error(),
		}, nil
	}
}

// configJSON renders the stack config as the SDK expects it in PULUMI_CONFIG. Keys use the
// legacy `<namespace>:config:<name>` form, which every @pulumi/pulumi version understands.
func configJSON(cfg map[string]string) (string, error) {
	out := make(map[string]string, len(cfg))
	for k, v := range cfg {
		key, err := config.ParseKey(k)
		if err != nil {
			return "", err
		}
		out[key.Namespace()+":config:"+key.Name()] = v
	}
	b, err := json.Marshal(out)
	return string(b), err
}

func resolveModule(node, mod, dir string) (string, error) {
	script := fmt.Sprintf(`try { console.log(require.resolve(%q)) } catch (e) {`+
		` console.error(e.code === "MODULE_NOT_FOUND" ? "It looks like the Pulumi SDK has not been installed.`+
		` Have you run npm install?" : e.message); process.exit(1) }`, mod)
	cmd := exec.Command(node, "-e", script)
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		var exitErr *exec.ExitError
		if errors.As(err, &exitErr) {
			return "", errors.New(strings.TrimSpace(string(exitErr.Stderr)))
		}
		return "", err
	}
	return strings.TrimSpace(string(out)), nil
}
