// cri-rmp stops and removes every pod sandbox of a CRI runtime, as `crictl rmp -af`
// would (crictl itself is not on the module proxy reachable here). Stopping through
// CRI makes containerd tear down each pod's CNI network and network namespace.
// Pods are handled in parallel.
//
// Usage: cri-rmp /path/to/containerd.sock
package main

import (
	"context"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	runtime "k8s.io/cri-api/pkg/apis/runtime/v1"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: cri-rmp /path/to/runtime.sock")
		os.Exit(2)
	}
	conn, err := grpc.NewClient("unix://"+os.Args[1], grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		fmt.Fprintln(os.Stderr, "cri-rmp: connect:", err)
		os.Exit(1)
	}
	defer conn.Close()
	client := runtime.NewRuntimeServiceClient(conn)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	pods, err := client.ListPodSandbox(ctx, &runtime.ListPodSandboxRequest{})
	if err != nil {
		fmt.Fprintln(os.Stderr, "cri-rmp: list pod sandboxes:", err)
		os.Exit(1)
	}
	var failed atomic.Int32
	var wg sync.WaitGroup
	for _, p := range pods.Items {
		wg.Add(1)
		go func(p *runtime.PodSandbox) {
			defer wg.Done()
			name := p.Metadata.Namespace + "/" + p.Metadata.Name
			start := time.Now()
			if _, err := client.StopPodSandbox(ctx, &runtime.StopPodSandboxRequest{PodSandboxId: p.Id}); err != nil {
				fmt.Fprintf(os.Stderr, "cri-rmp: stop %s: %v\n", name, err)
				failed.Add(1)
				return
			}
			if _, err := client.RemovePodSandbox(ctx, &runtime.RemovePodSandboxRequest{PodSandboxId: p.Id}); err != nil {
				fmt.Fprintf(os.Stderr, "cri-rmp: remove %s: %v\n", name, err)
				failed.Add(1)
				return
			}
			fmt.Printf("removed pod %s (%s) in %.1fs\n", name, p.Id[:12], time.Since(start).Seconds())
		}(p)
	}
	wg.Wait()
	if failed.Load() > 0 {
		os.Exit(1)
	}
}
