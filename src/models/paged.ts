/**
 * A section model that lists a keyset-paged route a page at a time: the first page
 * first, the next ones on demand (`loadMore`, e.g. when a list scrolls near its end).
 * A poll or `refresh()` fetches again from the start as many items as are loaded, so
 * what is on screen stays fresh without refetching page by page; the subclasses poll
 * only while no more than the first page is loaded (`paged`), so a list scrolled deep
 * into thousands of items is not fetched whole every few seconds (refresh still does).
 */
import { SectionModel } from './section';

/** One page of a listing and the token of the next (absent after the last). */
export interface IPage<T> {
  items: T[];
  next?: string | null;
}

/** The largest page the list routes return. */
export const MAX_PAGE = 1000;

export abstract class PagedSectionModel<T> extends SectionModel<T> {
  constructor(options: PagedSectionModel.IOptions) {
    super(options);
    this.pageSize = options.pageSize;
    this._want = options.pageSize;
  }

  /** How many items the first page (and each further one) holds. */
  readonly pageSize: number;

  /** The loaded items, in the server's order. */
  get items(): readonly T[] {
    return this.state.kind === 'ready' ? this.state.items : [];
  }

  /** Whether the server has items after the loaded ones. */
  get hasMore(): boolean {
    return !!this._next;
  }

  /** Whether more than the first page is loaded. */
  get paged(): boolean {
    return this.items.length > this.pageSize;
  }

  /** Whether a next page is being fetched. */
  get loadingMore(): boolean {
    return this._loadingMore;
  }

  /** Fetch the next page and append it (nothing when there is none or one is on its way). */
  async loadMore(): Promise<void> {
    if (!this._next || this._loadingMore) {
      return;
    }
    this._loadingMore = true;
    this._append = true;
    try {
      await this.refresh();
    } finally {
      this._loadingMore = false;
      this._append = false;
    }
  }

  /** Start again from the first page (call when the sort or a filter changes). */
  protected restart(): void {
    this._want = this.pageSize;
    this._next = null;
    this._append = false;
    void this.refresh();
  }

  /** One page from `token` (undefined: the first) of at most `max` items. */
  protected abstract fetchPage(
    token: string | undefined,
    max: number
  ): Promise<IPage<T>>;

  protected async fetch(): Promise<T[]> {
    if (this._append && this._next) {
      this._append = false;
      const page = await this.fetchPage(this._next, this.pageSize);
      const items = [...this.items, ...page.items];
      this._next = page.next ?? null;
      this._want = items.length;
      return items;
    }
    const items: T[] = [];
    let token: string | undefined = undefined;
    do {
      const page: IPage<T> = await this.fetchPage(
        token,
        Math.min(MAX_PAGE, this._want - items.length)
      );
      items.push(...page.items);
      token = page.next ?? undefined;
    } while (token && items.length < this._want);
    this._next = token ?? null;
    return items;
  }

  private _append = false;
  private _loadingMore = false;
  private _next: string | null = null;
  private _want: number;
}

export namespace PagedSectionModel {
  export interface IOptions extends SectionModel.IOptions {
    pageSize: number;
  }
}
