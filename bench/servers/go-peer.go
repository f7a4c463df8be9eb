// Peer for the bench (bench/peers/go.ts): Go's net/http as its docs set it up.
// Files and folder listings from http.FileServer, scripts under /cgi-bin/ from
// net/http/cgi, HTTPS from ListenAndServeTLS (session tickets on by default).
// Usage: go-peer ROOT ADDR [CERT KEY]
package main

import (
	"log"
	"net/http"
	"net/http/cgi"
	"os"
	"path/filepath"
	"strings"
)

func main() {
	root, addr := os.Args[1], os.Args[2]
	mux := http.NewServeMux()
	mux.Handle("/", http.FileServer(http.Dir(root)))
	mux.HandleFunc("/cgi-bin/", func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimPrefix(r.URL.Path, "/cgi-bin/")
		if name == "" || strings.ContainsRune(name, '/') || strings.HasPrefix(name, ".") {
			http.NotFound(w, r)
			return
		}
		script := filepath.Join(root, "cgi-bin", name)
		handler := cgi.Handler{Path: script, Root: "/cgi-bin/" + name, Dir: filepath.Dir(script)}
		handler.ServeHTTP(w, r)
	})
	if len(os.Args) > 4 {
		log.Fatal(http.ListenAndServeTLS(addr, os.Args[3], os.Args[4], mux))
	}
	log.Fatal(http.ListenAndServe(addr, mux))
}
