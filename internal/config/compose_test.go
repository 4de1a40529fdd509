package config_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.yaml.in/yaml/v3"

	"github.com/incidentbot/incidentbot/internal/config"
)

// root is the repository root, where docker-compose.yml and Dockerfile live.
const root = "../../"

// subcommands are what cmd/incidentbot's run accepts as its first argument.
var subcommands = []string{"serve", "console", "version"}

// deployment is docker-compose.yml and the Dockerfile it builds, parsed.
type deployment struct {
	compose    composeFile
	dockerfile dockerfile
}

// composeFile is the part of a Compose file the rules read.
type composeFile struct {
	Services map[string]*composeService `yaml:"services"`
	Volumes  map[string]any             `yaml:"volumes"`
}

type composeService struct {
	Image       string        `yaml:"image"`
	Build       *composeBuild `yaml:"build"`
	Command     words         `yaml:"command"`
	Environment environment   `yaml:"environment"`
	Ports       []portMapping `yaml:"ports"`
	Volumes     []mount       `yaml:"volumes"`
	DependsOn   dependsOn     `yaml:"depends_on"`
	Healthcheck *struct {
		Test    words `yaml:"test"`
		Disable bool  `yaml:"disable"`
	} `yaml:"healthcheck"`
}

// composeBuild is "build:", as a context path or a mapping.
type composeBuild struct {
	Context    string `yaml:"context"`
	Dockerfile string `yaml:"dockerfile"`
}

func (b *composeBuild) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		b.Context = n.Value
		return nil
	}
	type plain composeBuild
	return n.Decode((*plain)(b))
}

// words is a command, written as a string or a list.
type words []string

func (w *words) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		*w = strings.Fields(n.Value)
		return nil
	}
	return n.Decode((*[]string)(w))
}

// environment is "environment:", as a mapping or a list of NAME=value.
type environment map[string]string

func (e *environment) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.MappingNode {
		return n.Decode((*map[string]string)(e))
	}
	var list []string
	if err := n.Decode(&list); err != nil {
		return err
	}
	*e = environment{}
	for _, item := range list {
		name, value, _ := strings.Cut(item, "=")
		(*e)[name] = value
	}
	return nil
}

// portMapping is one entry of "ports:", in the short or the long syntax.
type portMapping struct{ Published, Target string }

func (p portMapping) String() string { return p.Published + ":" + p.Target }

func (p *portMapping) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.MappingNode {
		var long struct{ Target, Published string }
		err := n.Decode(&long)
		*p = portMapping{Published: long.Published, Target: long.Target}
		return err
	}
	spec, _, _ := strings.Cut(n.Value, "/") // drop "/tcp"
	parts := strings.Split(spec, ":")
	p.Target = parts[len(parts)-1]
	if len(parts) > 1 {
		p.Published = parts[len(parts)-2]
	}
	return nil
}

// mount is one entry of a service's "volumes:", in the short or long syntax.
type mount struct{ Source, Target string }

func (m *mount) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.MappingNode {
		type plain mount
		return n.Decode((*plain)(m))
	}
	parts := strings.Split(n.Value, ":")
	if len(parts) == 1 {
		m.Target = parts[0]
		return nil
	}
	m.Source, m.Target = parts[0], parts[1]
	return nil
}

// dependsOn maps a service to the condition waited for, from a list or a
// mapping.
type dependsOn map[string]string

func (d *dependsOn) UnmarshalYAML(n *yaml.Node) error {
	*d = dependsOn{}
	if n.Kind == yaml.SequenceNode {
		var names []string
		err := n.Decode(&names)
		for _, name := range names {
			(*d)[name] = "service_started"
		}
		return err
	}
	var long map[string]struct{ Condition string }
	err := n.Decode(&long)
	for name, v := range long {
		(*d)[name] = or(v.Condition, "service_started")
	}
	return err
}

// dockerfile is a Dockerfile as a list of build stages.
type dockerfile struct {
	path   string
	stages []stage
}

type stage struct {
	name         string
	instructions []instruction
}

type instruction struct{ keyword, args string }

// parseDockerfile reads the instructions of a Dockerfile: continuation lines
// joined, comments dropped.
func parseDockerfile(path, text string) dockerfile {
	df := dockerfile{path: path}
	text = strings.ReplaceAll(text, "\\\n", " ")
	for line := range strings.Lines(text) {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		keyword, args, _ := strings.Cut(line, " ")
		keyword, args = strings.ToUpper(keyword), strings.TrimSpace(args)
		if keyword == "FROM" {
			s := stage{}
			if f := strings.Fields(args); len(f) == 3 && strings.EqualFold(f[1], "AS") {
				s.name = f[2]
			}
			df.stages = append(df.stages, s)
			continue
		}
		if len(df.stages) > 0 {
			last := &df.stages[len(df.stages)-1]
			last.instructions = append(last.instructions, instruction{keyword, args})
		}
	}
	return df
}

// last is the final value of an instruction in a stage, or "".
func (s stage) last(keyword string) string {
	args := ""
	for _, in := range s.instructions {
		if in.keyword == keyword {
			args = in.args
		}
	}
	return args
}

// loadDeployment reads docker-compose.yml and the repository's Dockerfile;
// whether the one builds from the other is a rule of its own.
func loadDeployment(t *testing.T) deployment {
	t.Helper()
	text, err := os.ReadFile(filepath.Join(root, "docker-compose.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var d deployment
	if err := yaml.Unmarshal(text, &d.compose); err != nil {
		t.Fatalf("docker-compose.yml: %v", err)
	}
	for _, name := range []string{"redis", "incidentbot"} {
		if d.compose.Services[name] == nil {
			t.Fatalf("docker-compose.yml has no %q service", name)
		}
	}
	if d.compose.Services["incidentbot"].Build == nil {
		t.Fatal("docker-compose.yml: the incidentbot service is not built from this repository")
	}
	path := filepath.Join(root, "Dockerfile")
	d.dockerfile = parseDockerfile(path, dockerfileText(t))
	return d
}

// dockerfilePath is where a build's Dockerfile is, relative to this package.
func dockerfilePath(b *composeBuild) string {
	return filepath.Join(root, b.Context, or(b.Dockerfile, "Dockerfile"))
}

// rules are what docker-compose.yml and the Dockerfile must keep true; each
// returns an error saying what is broken.
var rules = []struct {
	name  string
	check func(d deployment) error
}{
	{"RedisAppendOnly", func(d deployment) error {
		redis := d.compose.Services["redis"]
		if redis == nil {
			return errors.New(`no "redis" service`)
		}
		if i := slices.Index(redis.Command, "--appendonly"); i < 0 || i+1 == len(redis.Command) || redis.Command[i+1] != "yes" {
			return fmt.Errorf(`redis command %q lacks "--appendonly yes": without the append-only file a restart loses the incidents`, redis.Command)
		}
		return nil
	}},
	{"RedisDataVolume", func(d deployment) error {
		redis := d.compose.Services["redis"]
		if redis == nil {
			return errors.New(`no "redis" service`)
		}
		i := slices.IndexFunc(redis.Volumes, func(m mount) bool { return path.Clean(m.Target) == "/data" })
		if i < 0 {
			return errors.New("redis has no volume on /data: its data would go with the container")
		}
		if src := redis.Volumes[i].Source; !slices.Contains(slices.Collect(maps.Keys(d.compose.Volumes)), src) {
			return fmt.Errorf("redis mounts %q on /data, which is not a named volume declared under the top-level volumes", src)
		}
		return nil
	}},
	{"RedisHealthy", func(d deployment) error {
		redis, bot := d.compose.Services["redis"], d.compose.Services["incidentbot"]
		if redis == nil || redis.Healthcheck == nil || redis.Healthcheck.Disable || !slices.Contains(redis.Healthcheck.Test, "ping") {
			return errors.New("redis has no healthcheck that pings it")
		}
		if got := bot.DependsOn["redis"]; got != "service_healthy" {
			return fmt.Errorf("incidentbot depends on redis with condition %q, want service_healthy: it would start before Redis answers", got)
		}
		return nil
	}},
	{"BotServes", func(d deployment) error {
		if got := d.compose.Services["incidentbot"].Command; !slices.Equal(got, []string{"serve"}) {
			return fmt.Errorf(`incidentbot command is %q, want ["serve"]: any other runs a console or exits`, got)
		}
		return nil
	}},
	{"BotEnvironmentKnown", func(d deployment) error {
		var errs []error
		for _, name := range slices.Sorted(maps.Keys(d.compose.Services["incidentbot"].Environment)) {
			if !slices.Contains(config.Variables(), name) {
				errs = append(errs, fmt.Errorf("incidentbot sets %s, which config.Load does not read", name))
			}
		}
		return errors.Join(errs...)
	}},
	{"BotChatFromHost", func(d deployment) error {
		// Every chat variable is passed through, so an operator can set it,
		// and none is written here, so no secret lands in the repository.
		env := d.compose.Services["incidentbot"].Environment
		var errs []error
		for _, name := range config.Variables() {
			if !strings.HasPrefix(name, "SLACK_") && !strings.HasPrefix(name, "DISCORD_") {
				continue
			}
			value, ok := env[name]
			if !ok {
				errs = append(errs, fmt.Errorf("incidentbot does not pass %s through from the host", name))
			} else if !regexp.MustCompile(`^\$\{` + name + `(:?-[^}]*)?\}$`).MatchString(value) {
				errs = append(errs, fmt.Errorf("incidentbot sets %s to a literal value; want ${%s:-} from the host", name, name))
			}
		}
		return errors.Join(errs...)
	}},
	{"BotRedisURL", func(d deployment) error {
		raw := d.compose.Services["incidentbot"].Environment["REDIS_URL"]
		u, err := url.Parse(raw)
		if err != nil || (u.Scheme != "redis" && u.Scheme != "rediss") {
			return fmt.Errorf("incidentbot REDIS_URL %q is not a redis:// URL", raw)
		}
		if u.Hostname() != "redis" || or(u.Port(), "6379") != "6379" {
			return fmt.Errorf(`incidentbot REDIS_URL %q does not point at the "redis" service on port 6379`, raw)
		}
		return nil
	}},
	{"BotAddrPublished", func(d deployment) error {
		bot := d.compose.Services["incidentbot"]
		addr := or(bot.Environment["INCIDENTBOT_ADDR"], ":8080")
		_, port, err := net.SplitHostPort(addr)
		if err != nil {
			return fmt.Errorf("incidentbot INCIDENTBOT_ADDR %q: %v", addr, err)
		}
		if !slices.ContainsFunc(bot.Ports, func(p portMapping) bool { return p.Target == port && p.Published != "" }) {
			return fmt.Errorf("incidentbot listens on port %s (INCIDENTBOT_ADDR %q) but publishes %v", port, addr, bot.Ports)
		}
		if !slices.Contains(strings.Fields(d.dockerfile.final().last("EXPOSE")), port) {
			return fmt.Errorf("%s does not EXPOSE %s, the port incidentbot listens on", d.dockerfile.path, port)
		}
		return nil
	}},
	{"BuildRootDockerfile", func(d deployment) error {
		got, err := filepath.Abs(dockerfilePath(d.compose.Services["incidentbot"].Build))
		if err != nil {
			return err
		}
		want, err := filepath.Abs(filepath.Join(root, "Dockerfile"))
		if err != nil {
			return err
		}
		if got != want {
			return fmt.Errorf("incidentbot builds from %s, want the repository's Dockerfile %s", got, want)
		}
		if _, err := os.Stat(got); err != nil {
			return fmt.Errorf("incidentbot builds from a Dockerfile that is not there: %v", err)
		}
		return nil
	}},
	{"DockerfileRunsBinary", checkDockerfile},
}

// checkDockerfile checks that the image's entrypoint is the binary the build
// stage compiles from cmd/incidentbot, and that its default argument is a
// subcommand.
func checkDockerfile(d deployment) error {
	df := d.dockerfile
	if len(df.stages) < 2 {
		return fmt.Errorf("%s has %d stage(s); want a build stage and a final one", df.path, len(df.stages))
	}
	final := df.final()
	var entrypoint, cmdArgs []string
	if err := json.Unmarshal([]byte(final.last("ENTRYPOINT")), &entrypoint); err != nil || len(entrypoint) != 1 {
		return fmt.Errorf(`%s: ENTRYPOINT %q is not the exec form ["/path/to/binary"]; distroless has no shell to run any other`, df.path, final.last("ENTRYPOINT"))
	}
	if err := json.Unmarshal([]byte(final.last("CMD")), &cmdArgs); err != nil || len(cmdArgs) == 0 || !slices.Contains(subcommands, cmdArgs[0]) {
		return fmt.Errorf("%s: CMD %q is not the exec form of a subcommand in %q", df.path, final.last("CMD"), subcommands)
	}
	// The final stage copies the binary to the entrypoint from a build stage
	// whose go build writes it.
	for _, in := range final.instructions {
		f := strings.Fields(in.args)
		if in.keyword != "COPY" || len(f) != 3 || !strings.HasPrefix(f[0], "--from=") || f[2] != entrypoint[0] {
			continue
		}
		from := strings.TrimPrefix(f[0], "--from=")
		for _, s := range df.stages {
			if s.name != from {
				continue
			}
			for _, run := range s.instructions {
				if run.keyword == "RUN" && regexp.MustCompile(`\bgo build\b.*-o `+regexp.QuoteMeta(f[1])+`\s.*\./cmd/incidentbot\b`).MatchString(run.args) {
					return nil
				}
			}
		}
		return fmt.Errorf("%s: %s comes from stage %q, which does not go build ./cmd/incidentbot to %s", df.path, entrypoint[0], from, f[1])
	}
	return fmt.Errorf("%s: the final stage runs %s but does not COPY --from a build stage to it", df.path, entrypoint[0])
}

// final is the stage the image is made of.
func (df dockerfile) final() stage {
	if len(df.stages) == 0 {
		return stage{}
	}
	return df.stages[len(df.stages)-1]
}

func TestCompose(t *testing.T) {
	d := loadDeployment(t)
	for _, rule := range rules {
		t.Run(rule.name, func(t *testing.T) {
			if err := rule.check(d); err != nil {
				t.Error(err)
			}
		})
	}
}

// TestComposeRulesBite breaks the deployment one way at a time and checks
// that exactly the rule guarding it fails.
func TestComposeRulesBite(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(d *deployment)
		want   []string // the rules that must fail
	}{
		{"NoAppendOnly", func(d *deployment) { d.compose.Services["redis"].Command = words{"redis-server"} }, []string{"RedisAppendOnly"}},
		{"AppendOnlyNo", func(d *deployment) {
			d.compose.Services["redis"].Command = words{"redis-server", "--appendfsync", "everysec", "--appendonly", "no"}
		}, []string{"RedisAppendOnly"}},
		{"NoDataVolume", func(d *deployment) { d.compose.Services["redis"].Volumes = nil }, []string{"RedisDataVolume"}},
		{"VolumeUndeclared", func(d *deployment) { d.compose.Volumes = nil }, []string{"RedisDataVolume"}},
		{"NoRedisHealthcheck", func(d *deployment) { d.compose.Services["redis"].Healthcheck = nil }, []string{"RedisHealthy"}},
		{"StartsBeforeRedis", func(d *deployment) {
			d.compose.Services["incidentbot"].DependsOn = dependsOn{"redis": "service_started"}
		}, []string{"RedisHealthy"}},
		{"CommandConsole", func(d *deployment) { d.compose.Services["incidentbot"].Command = words{"console"} }, []string{"BotServes"}},
		{"NoCommand", func(d *deployment) { d.compose.Services["incidentbot"].Command = nil }, []string{"BotServes"}},
		{"UnknownVariable", func(d *deployment) { d.compose.Services["incidentbot"].Environment["INCIDENTBOT_PORT"] = "8080" }, []string{"BotEnvironmentKnown"}},
		{"TokenWritten", func(d *deployment) { d.compose.Services["incidentbot"].Environment["SLACK_BOT_TOKEN"] = "xoxb-1" }, []string{"BotChatFromHost"}},
		{"ChatVariableDropped", func(d *deployment) { delete(d.compose.Services["incidentbot"].Environment, "DISCORD_GUILD_ID") }, []string{"BotChatFromHost"}},
		{"RedisURLLocalhost", func(d *deployment) {
			d.compose.Services["incidentbot"].Environment["REDIS_URL"] = "redis://localhost:6379/0"
		}, []string{"BotRedisURL"}},
		{"RedisURLUnset", func(d *deployment) { delete(d.compose.Services["incidentbot"].Environment, "REDIS_URL") }, []string{"BotRedisURL"}},
		{"AddrPortMoved", func(d *deployment) { d.compose.Services["incidentbot"].Environment["INCIDENTBOT_ADDR"] = ":9090" }, []string{"BotAddrPublished"}},
		{"PortNotPublished", func(d *deployment) { d.compose.Services["incidentbot"].Ports = nil }, []string{"BotAddrPublished"}},
		{"OtherDockerfile", func(d *deployment) { d.compose.Services["incidentbot"].Build.Dockerfile = "build/Dockerfile" }, []string{"BuildRootDockerfile"}},
		{"OtherContext", func(d *deployment) { d.compose.Services["incidentbot"].Build.Context = "cmd" }, []string{"BuildRootDockerfile"}},
		{"ShellEntrypoint", func(d *deployment) { setFinal(d, "ENTRYPOINT", "/incidentbot") }, []string{"DockerfileRunsBinary"}},
		{"OtherEntrypoint", func(d *deployment) { setFinal(d, "ENTRYPOINT", `["/app"]`) }, []string{"DockerfileRunsBinary"}},
		{"CmdUnknown", func(d *deployment) { setFinal(d, "CMD", `["run"]`) }, []string{"DockerfileRunsBinary"}},
		{"BuildsOtherPackage", func(d *deployment) {
			d.dockerfile = parseDockerfile("Dockerfile", strings.ReplaceAll(dockerfileText(t), "./cmd/incidentbot", "./cmd/other"))
		}, []string{"DockerfileRunsBinary"}},
		{"SingleStage", func(d *deployment) { d.dockerfile.stages = d.dockerfile.stages[1:] }, []string{"DockerfileRunsBinary"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := loadDeployment(t)
			tt.mutate(&d)
			var failed []string
			for _, rule := range rules {
				if rule.check(d) != nil {
					failed = append(failed, rule.name)
				}
			}
			if diff := cmp.Diff(tt.want, failed); diff != "" {
				t.Errorf("rules failing (-want +got):\n%s", diff)
			}
		})
	}
}

// setFinal replaces an instruction of the Dockerfile's final stage.
func setFinal(d *deployment, keyword, args string) {
	final := d.dockerfile.stages[len(d.dockerfile.stages)-1].instructions
	for i := range final {
		if final[i].keyword == keyword {
			final[i].args = args
		}
	}
}

func dockerfileText(t *testing.T) string {
	t.Helper()
	text, err := os.ReadFile(filepath.Join(root, "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	return string(text)
}

// or is value, or def when value is empty.
func or(value, def string) string {
	if value == "" {
		return def
	}
	return value
}
