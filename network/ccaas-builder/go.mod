module medshare.test/ccaas-builder

go 1.22
