// Go peers for bench/net: the same measurements as the Atoll programs,
// with goroutines, net, net/http and hash/adler32.
//
//	netbench-go echo CLIENTS MB   echo throughput, prints MB/s echoed
//	netbench-go http PORT         a net/http server for static text
package main

import (
	"fmt"
	"hash/adler32"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"sync"
	"time"
)

func serveEcho(c net.Conn) {
	buf := make([]byte, 64*1024)
	for {
		n, err := c.Read(buf)
		if n > 0 {
			if _, werr := c.Write(buf[:n]); werr != nil {
				break
			}
		}
		if err != nil {
			break
		}
	}
	c.Close()
}

// One client: a writer goroutine sends `bytes` bytes of a 64 KiB chunk that
// depends on the client, the client reads the echo; both sides checksum.
func echoClient(addr string, seed int, bytes int) bool {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return false
	}
	chunk := make([]byte, 64*1024)
	for i := 0; i < 256; i++ {
		v := byte((seed*7919 + i*31) % 256)
		for j := 0; j < 256; j++ {
			chunk[i*256+j] = v
		}
	}
	sent := make(chan uint32)
	go func() {
		h := adler32.New()
		for left := bytes; left > 0; {
			n := len(chunk)
			if left < n {
				n = left
			}
			h.Write(chunk[:n])
			if _, err := c.Write(chunk[:n]); err != nil {
				break
			}
			left -= n
		}
		c.(*net.TCPConn).CloseWrite()
		sent <- h.Sum32()
	}()
	h := adler32.New()
	buf := make([]byte, 64*1024)
	got := 0
	for {
		n, err := c.Read(buf)
		h.Write(buf[:n])
		got += n
		if err == io.EOF {
			break
		} else if err != nil {
			return false
		}
	}
	s := <-sent
	c.Close()
	return got == bytes && h.Sum32() == s
}

func echo(clients, mb int) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	go func() {
		for i := 0; i < clients; i++ {
			c, err := ln.Accept()
			if err != nil {
				panic(err)
			}
			go serveEcho(c)
		}
	}()
	var wg sync.WaitGroup
	var mu sync.Mutex
	ok := 0
	t0 := time.Now()
	for i := 0; i < clients; i++ {
		wg.Add(1)
		go func(seed int) {
			defer wg.Done()
			if echoClient(ln.Addr().String(), seed, mb<<20) {
				mu.Lock()
				ok++
				mu.Unlock()
			}
		}(i)
	}
	wg.Wait()
	secs := time.Since(t0).Seconds()
	if ok != clients {
		fmt.Println("wrong")
		return
	}
	fmt.Printf("%.0f\n", float64(clients*(mb<<20))/1e6/secs)
}

func main() {
	switch os.Args[1] {
	case "echo":
		clients, _ := strconv.Atoi(os.Args[2])
		mb, _ := strconv.Atoi(os.Args[3])
		echo(clients, mb)
	case "http":
		body := []byte("Hello from Atoll\n")
		http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			w.Write(body)
		})
		fmt.Println("http server on port " + os.Args[2])
		if err := http.ListenAndServe("127.0.0.1:"+os.Args[2], nil); err != nil {
			panic(err)
		}
	default:
		fmt.Fprintln(os.Stderr, "usage: netbench-go echo CLIENTS MB | http PORT")
		os.Exit(2)
	}
}
