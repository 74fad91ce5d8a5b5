// A GUP page turned into a kernel address and back (modelled on
// arch/powerpc/kvm/book3s_64_mmu_hv.c kvmppc_pin_guest_page() and
// kvmppc_unpin_guest_page() of 6.12, and their caller in book3s_hv.c):
// put_page(virt_to_page(va)) drops the GUP page.  The other virt_to_page()
// is of a kmalloc() buffer: a page of origin virt.
#include <linux/mm.h>

void *vt_pin_guest_page(unsigned long hva, unsigned long *nb_ret)
{
	struct page *page, *pages[1];
	unsigned long offset = hva & (PAGE_SIZE - 1);
	int npages;

	npages = get_user_pages_fast(hva, 1, FOLL_WRITE, pages);
	if (npages < 1)
		return NULL;
	page = pages[0];
	if (nb_ret)
		*nb_ret = PAGE_SIZE - offset;
	return page_address(page) + offset;
}

void vt_unpin_guest_page(void *va, bool dirty)
{
	struct page *page = virt_to_page(va);

	put_page(page);
}

struct vt_vpa {
	void *pinned_addr;
	unsigned long gpa;
};

int vt_map_vpa(struct vt_vpa *vpa)
{
	unsigned long nb;
	void *va = vt_pin_guest_page(vpa->gpa, &nb);

	if (!va)
		return -EFAULT;
	vpa->pinned_addr = va;
	return 0;
}

void vt_unmap_vpa(struct vt_vpa *vpa)
{
	vt_unpin_guest_page(vpa->pinned_addr, true);
}

void vt_free_buf(void)
{
	char *buf = kmalloc(PAGE_SIZE, GFP_KERNEL);

	__free_page(virt_to_page(buf));
}
