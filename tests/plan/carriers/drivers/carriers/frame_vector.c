// Pins kept in a frame vector and released through frame_vector_pages()
// (modelled on drivers/media/common/videobuf2/frame_vector.c
// get_vaddr_frames() and put_vaddr_frames() of 6.12).
#include <linux/mm.h>
#include <media/frame_vector.h>

int fv_get_vaddr_frames(unsigned long start, unsigned int nr_frames, bool write,
			struct frame_vector *vec)
{
	unsigned int gup_flags = FOLL_LONGTERM;
	int ret;

	if (write)
		gup_flags |= FOLL_WRITE;
	ret = pin_user_pages_fast(start, nr_frames, gup_flags, (struct page **)(vec->ptrs));
	vec->got_ref = true;
	vec->is_pfns = false;
	vec->nr_frames = ret;
	return ret > 0 ? ret : -EFAULT;
}

void fv_put_vaddr_frames(struct frame_vector *vec)
{
	struct page **pages;

	if (!vec->got_ref)
		return;
	pages = frame_vector_pages(vec);
	if (WARN_ON(IS_ERR(pages)))
		return;
	unpin_user_pages(pages, vec->nr_frames);
	vec->got_ref = false;
}
