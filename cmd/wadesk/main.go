// Command wadesk is a self-hosted helpdesk for WhatsApp (Cloud API).
// Everything happens in internal/cli; this file only hands over the process.
package main

import (
	"os"

	"wadesk/internal/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], cli.Env{
		Getenv: os.Getenv,
		Stdin:  os.Stdin,
		Stdout: os.Stdout,
		Stderr: os.Stderr,
	}))
}
