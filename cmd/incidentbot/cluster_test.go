package main

import (
	"context"
	"fmt"
	"net/http"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/incidentbot/incidentbot/internal/chattest"
)

// redisCluster is a Redis Cluster of three primaries with a replica each,
// from redis-server processes of the test's own.
type redisCluster struct {
	t     *testing.T
	nodes []*redisServer
}

func startCluster(t *testing.T) *redisCluster {
	t.Helper()
	if !*long {
		t.Skip("the Cluster topology runs in the long fault suite: -long")
	}
	if _, err := exec.LookPath("redis-cli"); err != nil {
		t.Skip("redis-cli is not installed; .ci/run installs it with redis-server")
	}
	c := &redisCluster{t: t}
	var addrs []string
	for range 6 {
		// The bus port is set explicitly: port+10000 may be taken or out of range.
		n := startRedis(t, "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "1000",
			"--cluster-port", strconv.Itoa(freePort(t)), "--appendonly", "no")
		c.nodes = append(c.nodes, n)
		addrs = append(addrs, n.Addr())
	}
	out, err := exec.Command("redis-cli", append(append([]string{"--cluster", "create"}, addrs...), "--cluster-replicas", "1", "--cluster-yes")...).CombinedOutput()
	if err != nil {
		t.Fatalf("redis-cli --cluster create: %v\n%s", err, out)
	}
	for _, n := range c.nodes {
		rdb := redis.NewClient(&redis.Options{Addr: n.Addr()})
		for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(50 * time.Millisecond) {
			info, _ := rdb.ClusterInfo(context.Background()).Result()
			if strings.Contains(info, "cluster_state:ok") {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("node %s never saw the cluster ok:\n%s", n.Addr(), info)
			}
		}
		rdb.Close()
	}
	for _, n := range c.nodes {
		if !isPrimary(n) {
			waitReplicated(t, n)
		}
	}
	return c
}

// URL is REDIS_URL for the cluster: one node, the others as addr.
func (c *redisCluster) URL() string {
	u := "redis://" + c.nodes[0].Addr() + "?"
	for _, n := range c.nodes[1:] {
		u += "addr=" + n.Addr() + "&"
	}
	return strings.TrimSuffix(u, "&")
}

// owner returns the primary that holds key's slot, and its replica.
func (c *redisCluster) owner(key string) (primary, replica *redisServer) {
	c.t.Helper()
	cc := redis.NewClusterClient(&redis.ClusterOptions{Addrs: []string{c.nodes[0].Addr()}})
	defer cc.Close()
	ctx := context.Background()
	node, err := cc.MasterForKey(ctx, key)
	if err != nil {
		c.t.Fatal(err)
	}
	for _, n := range c.nodes {
		if n.Addr() == node.Options().Addr {
			primary = n
		}
	}
	for _, n := range c.nodes {
		rdb := redis.NewClient(&redis.Options{Addr: n.Addr()})
		info, _ := rdb.Info(ctx, "replication").Result()
		rdb.Close()
		if strings.Contains(info, "role:slave") && strings.Contains(info, fmt.Sprintf("master_port:%d", primary.port)) {
			replica = n
		}
	}
	if primary == nil || replica == nil {
		c.t.Fatalf("no primary and replica for %s", key)
	}
	return primary, replica
}

// isPrimary reports whether the node now reports itself a primary.
func isPrimary(n *redisServer) bool {
	rdb := redis.NewClient(&redis.Options{Addr: n.Addr()})
	defer rdb.Close()
	info, _ := rdb.Info(context.Background(), "replication").Result()
	return strings.Contains(info, "role:master")
}

// clusterIncident is an incidentbot on a Cluster, with
// INCIDENTBOT_REDIS_MIN_REPLICAS=1, and an incident declared.
func clusterIncident(t *testing.T) (*redisCluster, *chattest.Slack, string, *responder) {
	t.Helper()
	c := startCluster(t)
	fake := chattest.NewSlack(t)
	vars := slackVars(fake, c.URL())
	vars["INCIDENTBOT_REDIS_MIN_REPLICAS"] = "1"
	addr, _ := inProcess(t, vars)
	r := newResponder()
	declare(t, r, addr)
	return c, fake, addr, r
}

// TestFaultsClusterFailover kills (SIGKILL) the primary that holds the
// incident while commands stream in, with INCIDENTBOT_REDIS_MIN_REPLICAS=1:
// /readyz fails until the replica is promoted, commands work again within
// two seconds of the promotion, and nothing acknowledged is lost.
func TestFaultsClusterFailover(t *testing.T) {
	c, fake, addr, r := clusterIncident(t)
	ws := r.workspace()
	primary, replica := c.owner(fmt.Sprintf("ib:{ws:%s:%s}:seq", ws.Platform, ws.ID))
	st := startStream(r, addr, "cl", 1)
	st.waitRecorded(t, 5, time.Time{}) // a stream under way before the kill
	primary.kill()
	killed := time.Now()
	notReady := false
	for !isPrimary(replica) {
		if time.Since(killed) > 30*time.Second {
			t.Fatal("the replica was never promoted")
		}
		if resp, err := http.Get("http://" + addr + "/readyz"); err == nil {
			notReady = notReady || resp.StatusCode == http.StatusServiceUnavailable
			resp.Body.Close()
		}
		time.Sleep(50 * time.Millisecond)
	}
	promoted := time.Now()
	st.waitRecorded(t, 5, promoted)
	st.end()
	recovered := st.firstSince(promoted)
	back := recovered.Sub(promoted)
	t.Logf("primary killed; replica promoted after %s; commands recorded again %s after the promotion", promoted.Sub(killed).Round(time.Millisecond), back.Round(time.Millisecond))
	if back > 2*time.Second {
		t.Errorf("commands worked again %s after the promotion, want within 2s", back)
	}
	if !notReady {
		t.Error("/readyz never said 503 while the primary was down")
	}
	report(t, "cluster-failover", check(t, c.URL(), r, fake))
}

// TestFaultsClusterFrozenReplica: with INCIDENTBOT_REDIS_MIN_REPLICAS=1 and
// the replica of the incident's primary frozen (SIGSTOP), every change is
// answered as recorded but not yet safe; none is acknowledged as replicated.
func TestFaultsClusterFrozenReplica(t *testing.T) {
	c, _, addr, r := clusterIncident(t)
	ws := r.workspace()
	_, replica := c.owner(fmt.Sprintf("ib:{ws:%s:%s}:seq", ws.Platform, ws.ID))
	replica.cmd.Process.Signal(syscall.SIGSTOP)
	defer replica.cmd.Process.Signal(syscall.SIGCONT)
	for i := range 9 {
		reply, err := r.send(addr, "C0GENERAL", fmt.Sprintf("update INC-1 frozen tok-frozen-%d", i))
		if err != nil || !strings.Contains(reply, "Recorded, but only 0 of 1 Redis replicas confirmed it") {
			t.Errorf("change %d with the replica frozen: %q, %v", i, reply, err)
		}
	}
}
