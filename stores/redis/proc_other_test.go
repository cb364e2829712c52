//go:build !linux

package redis

import "os/exec"

func setPdeathsig(*exec.Cmd) {}
