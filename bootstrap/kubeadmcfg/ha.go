package kubeadmcfg

// Documents of a control plane with several masters: the certificate key init uploads the shared
// certificates with, the endpoint in the API server's certificate, control-plane joins, and the config of
// `kubeadm init phase upload-certs` that re-uploads them on a later run (kubeadm deletes them after 2 h).

import (
	"errors"
	"net"
	"regexp"

	"k8s.io/kubernetes/cmd/kubeadm/app/apis/kubeadm/v1beta3"
	"k8s.io/kubernetes/cmd/kubeadm/app/apis/kubeadm/v1beta4"
)

// certificateKeyRE is kubeadm's certificate key: 32 bytes, hex (constants.CertificateKeySize).
var certificateKeyRE = regexp.MustCompile(`^[a-f0-9]{64}$`)

// checkCertificateKey validates a certificate key without ever printing it.
func checkCertificateKey(key string) error {
	if !certificateKeyRE.MatchString(key) {
		return errors.New("certificate key is not 64 lower-case hex digits")
	}
	return nil
}

// JoinControlPlane makes a JoinConfiguration a control-plane join.
type JoinControlPlane struct {
	// AdvertiseAddress is the joining master's own address, where its API server listens.
	AdvertiseAddress string
	// CertificateKey decrypts the certificates init or upload-certs stored in the cluster (secret).
	CertificateKey string
}

// applyInitHA adds the certificate key and the endpoint's host as an API server SAN (kubeadm adds the
// endpoint too; naming it keeps the certificate right whatever kubeadm's defaulting does).
func applyInitHA(initObj, clusterObj any, p InitParams) {
	if p.ControlPlaneEndpoint == "" {
		return
	}
	host, _, err := net.SplitHostPort(p.ControlPlaneEndpoint)
	if err != nil {
		host = p.ControlPlaneEndpoint
	}
	switch o := initObj.(type) {
	case *v1beta3.InitConfiguration:
		o.CertificateKey = p.CertificateKey
	case *v1beta4.InitConfiguration:
		o.CertificateKey = p.CertificateKey
	}
	switch o := clusterObj.(type) {
	case *v1beta3.ClusterConfiguration:
		o.APIServer.CertSANs = []string{host}
	case *v1beta4.ClusterConfiguration:
		o.APIServer.CertSANs = []string{host}
	}
}

// applyJoinControlPlane sets JoinConfiguration.controlPlane.
func applyJoinControlPlane(obj any, cp *JoinControlPlane) {
	if cp == nil {
		return
	}
	switch o := obj.(type) {
	case *v1beta3.JoinConfiguration:
		o.ControlPlane = &v1beta3.JoinControlPlane{LocalAPIEndpoint: v1beta3.APIEndpoint{AdvertiseAddress: cp.AdvertiseAddress}, CertificateKey: cp.CertificateKey}
	case *v1beta4.JoinConfiguration:
		o.ControlPlane = &v1beta4.JoinControlPlane{LocalAPIEndpoint: v1beta4.APIEndpoint{AdvertiseAddress: cp.AdvertiseAddress}, CertificateKey: cp.CertificateKey}
	}
}

// checkJoinControlPlane validates the control-plane part of a join.
func checkJoinControlPlane(cp *JoinControlPlane) []error {
	if cp == nil {
		return nil
	}
	var errs []error
	if ip := net.ParseIP(cp.AdvertiseAddress); ip == nil {
		errs = append(errs, errors.New("control-plane join: advertise address is not an IP address"))
	}
	if err := checkCertificateKey(cp.CertificateKey); err != nil {
		errs = append(errs, err)
	}
	return errs
}

// UploadCertsParams is the config of `kubeadm init phase upload-certs --upload-certs --config`.
type UploadCertsParams struct {
	APIVersion        APIVersion
	KubernetesVersion string
	// ControlPlaneEndpoint is the cluster's endpoint, as at init.
	ControlPlaneEndpoint string
	CertificateKey       string
}

// RenderUploadCerts renders an InitConfiguration holding only the certificate key and a
// ClusterConfiguration with the version and endpoint (the phase reads certificates from their default
// directory and talks to the cluster through admin.conf).
func RenderUploadCerts(p UploadCertsParams) ([]byte, error) {
	if _, err := checkVersions(p.APIVersion, p.KubernetesVersion); err != nil {
		return nil, err
	}
	if err := checkCertificateKey(p.CertificateKey); err != nil {
		return nil, err
	}
	var initObj, clusterObj any
	switch p.APIVersion {
	case V1beta3:
		initObj = &v1beta3.InitConfiguration{TypeMeta: typeMeta(p.APIVersion, "InitConfiguration"), CertificateKey: p.CertificateKey}
		clusterObj = &v1beta3.ClusterConfiguration{TypeMeta: typeMeta(p.APIVersion, "ClusterConfiguration"), KubernetesVersion: p.KubernetesVersion, ControlPlaneEndpoint: p.ControlPlaneEndpoint}
	case V1beta4:
		initObj = &v1beta4.InitConfiguration{TypeMeta: typeMeta(p.APIVersion, "InitConfiguration"), CertificateKey: p.CertificateKey}
		clusterObj = &v1beta4.ClusterConfiguration{TypeMeta: typeMeta(p.APIVersion, "ClusterConfiguration"), KubernetesVersion: p.KubernetesVersion, ControlPlaneEndpoint: p.ControlPlaneEndpoint}
	}
	initDoc, err := renderDocument(initObj, nil)
	if err != nil {
		return nil, err
	}
	clusterDoc, err := renderDocument(clusterObj, nil)
	if err != nil {
		return nil, err
	}
	return joinDocuments([][]byte{initDoc, clusterDoc}), nil
}
