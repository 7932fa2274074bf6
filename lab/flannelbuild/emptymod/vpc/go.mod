// An empty stand-in for the split module github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/vpc,
// which the Go module proxy does not serve. With no packages here, flannel's import of
// .../tencentcloud/vpc/v20170312 resolves to the monolithic SDK module (see ../../README.md).
module github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/vpc

go 1.21
