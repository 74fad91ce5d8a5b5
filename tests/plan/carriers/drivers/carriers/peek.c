// A read-only peek at a few bytes of a user page (modelled on
// kernel/events/uprobes.c is_trap_at_addr() of 6.12): no FOLL_WRITE, read
// through kmap, released before the function returns.
#include <linux/mm.h>

int pk_is_trap_at_addr(struct mm_struct *mm, unsigned long vaddr)
{
	struct page *page;
	unsigned int opcode;
	void *kaddr;
	int result;

	result = get_user_pages(vaddr, 1, FOLL_FORCE, &page);
	if (result < 0)
		return result;
	kaddr = kmap_local_page(page);
	memcpy(&opcode, kaddr + (vaddr & ~PAGE_MASK), sizeof(opcode));
	kunmap_local(kaddr);
	put_page(page);
	return opcode == 0xcc;
}
