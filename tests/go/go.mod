module librq.test/rqlink

go 1.19
