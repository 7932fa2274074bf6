package plan

import (
	"github.com/swapboot/swapboot/bootstrap/cluster"
	"github.com/swapboot/swapboot/templates"
)

// The swap step kinds besides the plain file (step_swap.go): one per area kind, all in the SWAP column.

// swapDeviceKind gives a disk or partition to swap (templates/scripts/swap-device.sh).
type swapDeviceKind struct{ device string }

func (swapDeviceKind) Phase() Phase   { return PhaseSwap }
func (swapDeviceKind) Column() Column { return swapKind{}.Column() }
func (k swapDeviceKind) Script(Runtime) (templates.Script, error) {
	return templates.SwapDevice{Device: k.device, CryptName: cluster.SwapCryptName}, nil
}

// swapEncryptedKind puts a swap file or device behind dm-crypt (templates/scripts/swap-encrypted.sh).
type swapEncryptedKind struct {
	kind, source, method, crypttab string
	mib                            int64
}

func (swapEncryptedKind) Phase() Phase   { return PhaseSwap }
func (swapEncryptedKind) Column() Column { return swapKind{}.Column() }
func (k swapEncryptedKind) Script(Runtime) (templates.Script, error) {
	return templates.SwapEncrypted{Kind: k.kind, Source: k.source, SwapMiB: k.mib, Method: k.method, CryptName: cluster.SwapCryptName,
		CrypttabRest: k.crypttab}, nil
}

// swapZramKind sets up swapboot-zram.service (templates/scripts/swap-zram.sh).
type swapZramKind struct{ mib int64 }

func (swapZramKind) Phase() Phase   { return PhaseSwap }
func (swapZramKind) Column() Column { return swapKind{}.Column() }
func (k swapZramKind) Script(Runtime) (templates.Script, error) {
	return templates.SwapZram{SwapMiB: k.mib}, nil
}
