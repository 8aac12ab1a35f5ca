// The digest's extensions of django-prose-editor (docs/decisions/0013), an ES module loaded as
// it is, without a build step: figures placed in the text, paste through the server's
// sanitizer, and the toolbar in Chinese. The configuration comes from editorial/admin/editor.py.
import { Extension, Node, Plugin, crel } from "django-prose-editor/editor"

function csrfToken() {
  const input = document.querySelector("input[name=csrfmiddlewaretoken]")
  return input ? input.value : ""
}

function status(editor, text) {
  const wrapper = editor.options.element.closest(".prose-editor") || editor.options.element
  let line = wrapper.parentElement.querySelector(".digest-editor-status")
  if (!line) {
    line = crel("p", { className: "digest-editor-status", role: "status" })
    wrapper.after(line)
  }
  line.textContent = text
  line.hidden = !text
}

// The number a reader will see: figures count in the order the text first places them.
function readerNumbers(doc) {
  const order = []
  doc.descendants((node) => {
    if (node.type.name === "digestFigure" && !order.includes(node.attrs.number)) {
      order.push(node.attrs.number)
    }
  })
  return order
}

function figureView(figures, editor, node) {
  const image = crel("img", { className: "digest-figure__image", alt: "" })
  const number = crel("span", { className: "digest-figure__number" })
  const caption = crel("span", { className: "digest-figure__caption" })
  const dom = crel("figure", { className: "digest-figure", contentEditable: "false" }, [
    image,
    crel("figcaption", {}, [number, caption]),
  ])
  const view = {
    dom,
    node,
    relabel() {
      const figure = figures.find((f) => f.number === view.node.attrs.number)
      const position = readerNumbers(editor.state.doc).indexOf(view.node.attrs.number) + 1
      number.textContent = `图 ${position}`
      dom.classList.toggle("digest-figure--missing", !figure)
      caption.textContent = figure ? ` ${figure.caption}` : " 本文没有这张图，请从“插入图”重新选择"
      if (figure && figure.src) {
        image.src = figure.src
        image.hidden = false
      } else {
        image.removeAttribute("src")
        image.hidden = true
      }
    },
    update(updated) {
      if (updated.type !== view.node.type) return false
      view.node = updated
      view.relabel()
      return true
    },
  }
  return view
}

function figurePicker(editor, options) {
  const insert = (number) => {
    editor.chain().focus().insertContent({ type: "digestFigure", attrs: { number } }).run()
    dialog.close()
  }
  const choices = options.figures.map((figure) =>
    crel("button", { type: "button", className: "digest-picker__choice" }, [
      figure.src ? crel("img", { src: figure.src, alt: "" }) : crel("span"),
      crel("span", { textContent: `图 ${figure.number} ${figure.caption}` }),
    ]),
  )
  choices.forEach((button, index) =>
    button.addEventListener("click", () => insert(options.figures[index].number)),
  )
  const file = crel("input", { type: "file", name: "image", accept: "image/png,image/jpeg,image/gif,image/webp" })
  const caption = crel("input", { type: "text", name: "caption", maxLength: 200, placeholder: "图题" })
  const message = crel("p", { className: "digest-picker__error", role: "alert" })
  const upload = crel("button", { type: "button", className: "button", textContent: "上传并插入" })
  const cancel = crel("button", { type: "button", className: "button", textContent: "取消" })
  const uploadPart = options.uploadUrl
    ? crel("fieldset", { className: "digest-picker__upload" }, [
        crel("legend", { textContent: "上传新图" }),
        crel("label", {}, ["图片 ", file]),
        crel("label", {}, ["图题 ", caption]),
        upload,
        message,
      ])
    : crel("p", { className: "help", textContent: "保存文章后可在此上传新图。" })
  const dialog = crel("dialog", { className: "digest-picker" }, [
    crel("h3", { textContent: "插入图" }),
    choices.length
      ? crel("div", { className: "digest-picker__choices" }, choices)
      : crel("p", { className: "help", textContent: "本文还没有图。" }),
    uploadPart,
    crel("div", { className: "digest-picker__actions" }, [cancel]),
  ])
  cancel.addEventListener("click", () => dialog.close())
  dialog.addEventListener("close", () => dialog.remove())
  upload.addEventListener("click", async () => {
    const body = new FormData()
    body.append("image", file.files[0] || new Blob([]), file.files[0] ? file.files[0].name : "")
    body.append("caption", caption.value)
    const version = document.querySelector("input[name=base_version]")
    if (version) body.append("base_version", version.value)
    upload.disabled = true
    message.textContent = ""
    try {
      const response = await fetch(options.uploadUrl, {
        method: "POST",
        body,
        headers: { "X-CSRFToken": csrfToken() },
        credentials: "same-origin",
      })
      const answer = await response.json()
      if (!response.ok) throw new Error(answer.error || "上传失败")
      options.figures.push({ number: answer.number, caption: answer.caption, src: answer.src })
      // The upload is a save of this article: the open form now carries the new version.
      if (version) version.value = String(answer.lock_version)
      insert(answer.number)
    } catch (error) {
      message.textContent = `未上传：${error.message}`
    } finally {
      upload.disabled = false
    }
  })
  document.body.append(dialog)
  dialog.showModal()
}

// <figure data-figure="N"></figure>: figure N of the article, where the text places it.
export const DigestFigure = Node.create({
  name: "digestFigure",
  group: "block",
  atom: true,
  draggable: true,
  selectable: true,

  addOptions() {
    return { figures: [], uploadUrl: "", placing: true }
  },

  addStorage() {
    return { views: new Set() }
  },

  addAttributes() {
    return {
      number: {
        default: null,
        parseHTML: (element) => Number.parseInt(element.getAttribute("data-figure"), 10),
        renderHTML: (attributes) => ({ "data-figure": String(attributes.number) }),
      },
    }
  },

  parseHTML() {
    return [{ tag: "figure[data-figure]" }]
  },

  renderHTML({ HTMLAttributes }) {
    return ["figure", HTMLAttributes]
  },

  addNodeView() {
    return ({ node, editor }) => {
      const view = figureView(this.options.figures, editor, node)
      this.storage.views.add(view)
      view.destroy = () => this.storage.views.delete(view)
      view.relabel()
      return view
    }
  },

  onUpdate() {
    for (const view of this.storage.views) view.relabel()
  },

  addMenuItems({ buttons, menu }) {
    if (!this.options.placing) return
    menu.defineItem({
      name: "digestFigure",
      groups: "nodes",
      button: buttons.material("image", "插入图"),
      command: (editor) => figurePicker(editor, this.options),
      enabled: (editor) => editor.can().insertContent({ type: "digestFigure", attrs: { number: 1 } }),
    })
  },
})

// What is pasted as HTML goes to the server's sanitizer first, and enters the text cleaned.
export const DigestPaste = Extension.create({
  name: "digestPaste",

  addOptions() {
    return { url: "" }
  },

  addProseMirrorPlugins() {
    const { editor } = this
    const { url } = this.options
    return [
      new Plugin({
        props: {
          // The source's HTML is not read here: its stylesheets would meet the page's CSP, and
          // the server reads it instead (handlePaste).
          transformPastedHTML: (html) => (url ? "" : html),
          handlePaste(view, event) {
            const html = event.clipboardData ? event.clipboardData.getData("text/html") : ""
            if (!html || !url) return false
            event.preventDefault()
            const { from, to } = view.state.selection
            const body = new FormData()
            body.append("html", html)
            status(editor, "正在清理粘贴的内容…")
            fetch(url, {
              method: "POST",
              body,
              headers: { "X-CSRFToken": csrfToken() },
              credentials: "same-origin",
            })
              .then((response) => {
                if (!response.ok) throw new Error(String(response.status))
                return response.json()
              })
              .then((answer) => {
                editor.chain().focus().insertContentAt({ from, to }, answer.html).run()
                status(editor, "")
              })
              .catch((error) => status(editor, `粘贴未完成（${error.message}），请重试。`))
            return true
          },
        },
      }),
    ]
  },
})

const TITLES = {
  bold: "加粗（导语）",
  italic: "斜体",
  underline: "下划线",
  strike: "删除线",
  subscript: "下标",
  superscript: "上标",
  "unordered list": "项目符号列表",
  "ordered list": "编号列表",
  blockquote: "引文",
  "insert link": "插入链接",
  "remove link": "取消链接",
  "Insert table": "插入表格",
  paragraph: "正文段落",
  Paragraph: "正文段落",
  "heading 2": "二级标题",
  "heading 3": "三级标题",
  "heading 4": "四级标题",
  "Heading 2": "二级标题",
  "Heading 3": "三级标题",
  "Heading 4": "四级标题",
  undo: "撤销",
  redo: "重做",
  "Merge cells": "合并单元格",
  "Split cell": "拆分单元格",
  "Add column before": "在左侧插入列",
  "Add column after": "在右侧插入列",
  "Delete column": "删除列",
  "Add row before": "在上方插入行",
  "Add row after": "在下方插入行",
  "Delete row": "删除行",
  "Toggle header cell": "切换表头单元格",
  "Delete table": "删除表格",
}

function translate(root) {
  for (const element of root.querySelectorAll("[title]")) {
    const title = TITLES[element.getAttribute("title")]
    if (title) {
      element.setAttribute("title", title)
      element.setAttribute("aria-label", title)
    }
  }
  for (const element of root.querySelectorAll(".prose-menubar p, .prose-menubar span")) {
    const text = TITLES[element.textContent]
    if (text && !element.children.length) element.textContent = text
  }
}

// The toolbar's titles in Chinese (the library's own are English words).
export const DigestTitles = Extension.create({
  name: "digestTitles",

  onCreate() {
    const wrapper = this.editor.options.element.closest(".prose-editor")
    if (!wrapper) return
    translate(wrapper)
    this.storage.observer = new MutationObserver(() => translate(wrapper))
    this.storage.observer.observe(wrapper, { childList: true, subtree: true })
  },

  onDestroy() {
    if (this.storage.observer) this.storage.observer.disconnect()
  },

  addStorage() {
    return { observer: null }
  },
})
