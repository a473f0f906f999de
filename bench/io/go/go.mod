module atoll/bench/io/go

go 1.19
