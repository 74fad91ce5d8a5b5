// Pinned pages kept as pfns and released from the pfn (modelled on
// drivers/vfio/vfio_iommu_type1.c vaddr_get_pfns() and put_pfn() of
// 6.12): the pin reaches unpin_user_pages_dirty_lock(&page): PINNED.
#include <linux/mm.h>

static int pf_get_pfns(struct mm_struct *mm, unsigned long vaddr, long npages,
		       int prot, unsigned long *pfn, struct page **pages)
{
	long ret;

	ret = pin_user_pages_remote(mm, vaddr, npages, FOLL_WRITE | FOLL_LONGTERM,
				    pages, NULL);
	if (ret > 0) {
		int i;

		for (i = 0; i < ret; i++)
			*(pfn++) = page_to_pfn(pages[i]);
	}
	return ret;
}

static int pf_put_pfn(unsigned long pfn, int prot)
{
	struct page *page = pfn_to_page(pfn);

	unpin_user_pages_dirty_lock(&page, 1, prot & 1);
	return 1;
}

long pf_pin_and_map(struct mm_struct *mm, unsigned long vaddr, int prot)
{
	unsigned long pfn;
	struct page *pages[1];
	long ret = pf_get_pfns(mm, vaddr, 1, prot, &pfn, pages);

	if (ret <= 0)
		return ret;
	pf_put_pfn(pfn, prot);
	return 0;
}
