// An empty stand-in for the split module github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common:
// the monolithic SDK module carries the same package, and two modules providing it would make the import
// ambiguous (see ../../README.md).
module github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common

go 1.21
