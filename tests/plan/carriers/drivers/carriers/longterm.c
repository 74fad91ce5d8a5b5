// A page held for the lifetime of an object and written by the kernel
// (modelled on drivers/misc/vmw_vmci/vmci_host.c vmci_host_setup_notify()
// and vmci_context.c vmci_ctx_unset_notify() of 6.12).
#include <linux/mm.h>

struct lt_context {
	struct page *notify_page;
	bool *notify;
};

int lt_setup_notify(struct lt_context *context, unsigned long uva)
{
	struct page *page;
	int retval;

	retval = get_user_pages_fast(uva, 1, FOLL_WRITE, &page);
	if (retval != 1)
		return -EFAULT;
	context->notify_page = page;
	context->notify = kmap(context->notify_page) + (uva & (PAGE_SIZE - 1));
	return 0;
}

void lt_unset_notify(struct lt_context *context)
{
	struct page *notify_page = context->notify_page;

	context->notify = NULL;
	context->notify_page = NULL;
	if (notify_page) {
		kunmap(notify_page);
		put_page(notify_page);
	}
}
