package testkit

import "github.com/swapboot/swapboot/bootstrap/cluster"

// CertificateKey is the certificate key of the test plans with several masters.
const CertificateKey = "5d9a3e1f0c7b2a4e6f8d0c1b3a5e7f9d2c4b6a8e0f1d3c5b7a9e2f4d6c8b0a1e"

// FixedCertificateKey is a PlanOptions.NewCertificateKey that always returns CertificateKey.
func FixedCertificateKey() (string, error) { return CertificateKey, nil }

// HACluster is three masters behind a keepalived virtual IP and one worker, as Load would return them.
func HACluster() *cluster.Cluster {
	c := Cluster()
	ssh := c.Masters[0].SSH
	c.Masters = []cluster.Host{
		{Address: "192.168.122.50", Role: cluster.RoleMaster, SSH: ssh, Line: 3},
		{Address: "192.168.122.53", Name: "master2", Role: cluster.RoleMaster, SSH: ssh, Line: 4},
		{Address: "192.168.122.54", Role: cluster.RoleMaster, SSH: ssh, Line: 5},
	}
	c.Workers = c.Workers[:1]
	c.ControlPlane = &cluster.ControlPlane{Endpoint: "192.168.122.10:8443", Host: "192.168.122.10", Port: 8443, LoadBalancer: cluster.LBKeepalived, Line: 8}
	return c
}
