module atollthreadbench

go 1.19
