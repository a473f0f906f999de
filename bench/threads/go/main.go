// Go baselines for bench/threads: the same three workloads as the .atl
// programs, timed inside, printed in the same units.
//   go run . pingpong N   ns per round trip (two unbuffered channels)
//   go run . spawn N      ps per goroutine (each sends 1 on one channel)
//   go run . prodcons copied|static N   messages per second (1 KiB)
package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

func pingpong(n int) {
	ping, back := make(chan int), make(chan int)
	go func() {
		for i := 0; i < n; i++ {
			v := <-ping
			back <- v + 1
		}
	}()
	start := time.Now()
	sum := 0
	for i := n; i > 0; i-- {
		ping <- i
		sum += <-back
	}
	el := time.Since(start)
	if sum != n*(n+1)/2+n {
		fmt.Println("wrong")
		return
	}
	fmt.Println(el.Nanoseconds() * 1000 / int64(n))
}

func spawn(n int) {
	box := make(chan int)
	start := time.Now()
	for i := 0; i < n; i++ {
		go func() { box <- 1 }()
	}
	total := 0
	for i := 0; i < n; i++ {
		total += <-box
	}
	el := time.Since(start)
	if total != n {
		fmt.Println("wrong")
		return
	}
	fmt.Println(el.Nanoseconds() * 1000 / int64(n))
}

func prodcons(mode string, n int) {
	box := make(chan string)
	base := strings.Repeat("x", 1016)
	static := strings.Repeat(".", 1024)
	start := time.Now()
	go func() {
		for i := n; i > 0; i-- {
			if mode == "static" {
				box <- static
			} else {
				box <- base + strconv.Itoa(i)
			}
		}
	}()
	bytes := 0
	for i := 0; i < n; i++ {
		bytes += len(<-box)
	}
	el := time.Since(start)
	if bytes <= n*1000 {
		fmt.Println("wrong")
		return
	}
	fmt.Println(int64(n) * 1000000000 / el.Nanoseconds())
}

func main() {
	n, _ := strconv.Atoi(os.Args[len(os.Args)-1])
	switch os.Args[1] {
	case "pingpong":
		pingpong(n)
	case "spawn":
		spawn(n)
	case "prodcons":
		prodcons(os.Args[2], n)
	}
}
