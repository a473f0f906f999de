module atoll/bench/net

go 1.19
