// Go baseline for bench/io: the same measurements as io_bench, with
// goroutines, channels and the net package. Usage: iobench-go WHAT [CLIENTS MB]
package main

import (
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"os"
	"runtime"
	"strconv"
	"sync"
	"time"
)

func nsPer(t0 time.Time, n int) float64 { return float64(time.Since(t0).Nanoseconds()) / float64(n) }

func benchSwitch() float64 {
	const rounds = 200000
	a, b := make(chan struct{}), make(chan struct{})
	t0 := time.Now()
	go func() {
		for i := 0; i < rounds; i++ {
			<-a
			b <- struct{}{}
		}
	}()
	for i := 0; i < rounds; i++ {
		a <- struct{}{}
		<-b
	}
	return nsPer(t0, 2*rounds)
}

func benchYield() float64 {
	const n = 1000000
	t0 := time.Now()
	for i := 0; i < n; i++ {
		runtime.Gosched()
	}
	return nsPer(t0, n)
}

func benchSpawn() float64 {
	const n = 100000
	done := make([]chan struct{}, n)
	var sum int64
	var mu sync.Mutex
	t0 := time.Now()
	for i := 0; i < n; i++ {
		c := make(chan struct{})
		done[i] = c
		go func() {
			mu.Lock()
			sum++
			mu.Unlock()
			close(c)
		}()
	}
	for _, c := range done {
		<-c
	}
	return nsPer(t0, n)
}

// A goroutine locked to its own OS thread answers pings: each hand-off
// crosses threads.
func benchWakeup() float64 {
	const rounds = 20000
	ping, pong := make(chan struct{}), make(chan struct{})
	go func() {
		runtime.LockOSThread()
		for i := 0; i < rounds; i++ {
			<-ping
			pong <- struct{}{}
		}
	}()
	t0 := time.Now()
	for i := 0; i < rounds; i++ {
		ping <- struct{}{}
		<-pong
	}
	return nsPer(t0, 2*rounds)
}

type checksum struct {
	lane  [4]uint64
	tail  [32]byte
	tlen  int
	total uint64
}

func newChecksum() *checksum { return &checksum{lane: [4]uint64{1469598103934665603, 2, 3, 4}} }

func (c *checksum) block(p []byte) {
	for i := 0; i < 4; i++ {
		w := binary.LittleEndian.Uint64(p[8*i:])
		c.lane[i] = (c.lane[i] ^ w) * 0x9E3779B97F4A7C15
		c.lane[i] ^= c.lane[i] >> 29
	}
}

func (c *checksum) add(p []byte) {
	c.total += uint64(len(p))
	if c.tlen > 0 {
		take := copy(c.tail[c.tlen:], p)
		c.tlen += take
		p = p[take:]
		if c.tlen < 32 {
			return
		}
		c.block(c.tail[:])
		c.tlen = 0
	}
	for len(p) >= 32 {
		c.block(p)
		p = p[32:]
	}
	c.tlen = copy(c.tail[:], p)
}

func (c *checksum) finish() uint64 {
	h := c.total
	for i := 0; i < c.tlen; i++ {
		h = (h ^ uint64(c.tail[i])) * 1099511628211
	}
	for _, l := range c.lane {
		h = (h ^ l) * 0x9E3779B97F4A7C15
	}
	return h
}

// Same bound as the Atoll side: many connections with autotuned buffers
// push loopback TCP into memory pressure and retransmit backoff.
func bound(c net.Conn, clients int) {
	if clients >= 200 {
		t := c.(*net.TCPConn)
		t.SetReadBuffer(128 * 1024)
		t.SetWriteBuffer(128 * 1024)
	}
}

func benchEcho(clients int, mb int) float64 {
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
			bound(c, clients)
			go func(c net.Conn) {
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
			}(c)
		}
	}()
	bytes := mb << 20
	var wg sync.WaitGroup
	var mu sync.Mutex
	total, ok := 0, 0
	t0 := time.Now()
	for i := 0; i < clients; i++ {
		wg.Add(1)
		go func(seed uint64) {
			defer wg.Done()
			c, err := net.Dial("tcp", ln.Addr().String())
			if err != nil {
				panic(err)
			}
			bound(c, clients)
			sent := newChecksum()
			var sentSum uint64
			wdone := make(chan struct{})
			go func() {
				chunk := make([]byte, 64*1024)
				x := seed | 1
				for i := 0; i+8 <= len(chunk); i += 8 {
					x ^= x << 13
					x ^= x >> 7
					x ^= x << 17
					binary.LittleEndian.PutUint64(chunk[i:], x)
				}
				left := bytes
				for seq := uint64(0); left > 0; seq++ {
					n := len(chunk)
					if left < n {
						n = left
					}
					binary.LittleEndian.PutUint64(chunk, seq)
					sent.add(chunk[:n])
					if _, err := c.Write(chunk[:n]); err != nil {
						panic(err)
					}
					left -= n
				}
				sentSum = sent.finish()
				c.(*net.TCPConn).CloseWrite()
				close(wdone)
			}()
			recv := newChecksum()
			buf := make([]byte, 64*1024)
			got := 0
			for {
				n, err := c.Read(buf)
				recv.add(buf[:n])
				got += n
				if err == io.EOF {
					break
				} else if err != nil {
					panic(err)
				}
			}
			<-wdone
			c.Close()
			mu.Lock()
			total += got
			if got == bytes && recv.finish() == sentSum {
				ok++
			}
			mu.Unlock()
		}(uint64(i) * 7919)
	}
	wg.Wait()
	secs := time.Since(t0).Seconds()
	if ok != clients {
		fmt.Fprintf(os.Stderr, "echo: %d/%d clients ok\n", ok, clients)
		os.Exit(1)
	}
	return float64(total) / 1e6 / secs
}

func main() {
	what := os.Args[1]
	clients, mb := 20, 8
	if len(os.Args) > 3 {
		clients, _ = strconv.Atoi(os.Args[2])
		mb, _ = strconv.Atoi(os.Args[3])
	}
	switch what {
	case "switch":
		fmt.Printf("switch %.1f ns\n", benchSwitch())
	case "yield":
		fmt.Printf("yield %.1f ns\n", benchYield())
	case "spawn":
		fmt.Printf("spawn %.1f ns\n", benchSpawn())
	case "wakeup":
		fmt.Printf("wakeup %.1f ns\n", benchWakeup())
	case "echo":
		fmt.Printf("echo %.1f MB/s\n", benchEcho(clients, mb))
	default:
		fmt.Fprintln(os.Stderr, "unknown", what)
		os.Exit(2)
	}
}
