/* acrn_vm_destroy() shape: a FOLL_LONGTERM pin stored in the VM, dropped
 * with put_page() at destroy; only the plan's position changes. */
int acrn_vm_destroy(struct acrn_vm *vm)
{
	if (vm->monitor_page) {
		put_page(vm->monitor_page);
		vm->monitor_page = NULL;
	}
	put_page(vm->other_page);
	return 0;
}
