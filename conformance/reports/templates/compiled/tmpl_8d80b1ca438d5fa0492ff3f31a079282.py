# Compiled by jinja2 3.1.6 from conformance/reports/templates/_views.html.j2 (tools/report_templates.py).
# mypy: ignore-errors
from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = '_views.html.j2'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    l_0_style = l_0_evidence = missing
    try:
        t_1 = environment.filters['truncate']
    except KeyError:
        @internalcode
        def t_1(*unused):
            raise TemplateRuntimeError("No filter named 'truncate' found.")
    try:
        t_2 = environment.tests['none']
    except KeyError:
        @internalcode
        def t_2(*unused):
            raise TemplateRuntimeError("No test named 'none' found.")
    pass
    def macro():
        t_3 = []
        pass
        t_3.append(
            '<style>\n  body { font: 14px/1.4 system-ui, sans-serif; margin: 2em; color: #222; }\n  table { border-collapse: collapse; margin: 1em 0; }\n  th, td { border: 1px solid #ccc; padding: 4px 8px; text-align: left; vertical-align: top; }\n  th { background: #f3f3f3; }\n  .id { white-space: nowrap; font-family: ui-monospace, monospace; }\n  .passed, .conformant { color: #176917; } .nonconformant { color: #b00020; } .failed, .error, .regressed { color: #b00020; font-weight: bold; }\n  .skipped, .untested, .absent, .reason { color: #777; } .known { color: #8a5a00; font-weight: normal; }\n  .fixed { color: #176917; font-weight: bold; } .incomplete { color: #8a5a00; font-weight: bold; }\n  details > summary { cursor: pointer; } details[open] { min-width: 32em; }\n  pre { background: #f6f6f6; padding: 6px; white-space: pre-wrap; word-break: break-all; max-width: 60em; margin: 4px 0; }\n</style>\n',
        )
        return concat(t_3)
    context.exported_vars.add('style')
    context.vars['style'] = l_0_style = Macro(environment, macro, 'style', (), False, False, False, context.eval_ctx.autoescape)
    yield '\n'
    def macro(l_1_row):
        t_4 = []
        if l_1_row is missing:
            l_1_row = undefined("parameter 'row' was not provided", name='row')
        pass
        if environment.getattr(l_1_row, 'failures'):
            pass
            t_4.extend((
                '<details><summary>',
                escape(t_1(environment, environment.getattr(environment.getitem(environment.getattr(l_1_row, 'failures'), 0), 'line'), 160)),
                '</summary>\n',
            ))
            for l_2_f in environment.getattr(l_1_row, 'failures'):
                _loop_vars = {}
                pass
                t_4.append(
                    '  <p>',
                )
                if environment.getattr(l_2_f, 'check'):
                    pass
                    t_4.extend((
                        '<b>',
                        escape(environment.getattr(l_2_f, 'check')),
                        '</b>: ',
                    ))
                t_4.extend((
                    escape(environment.getattr(l_2_f, 'line')),
                    '</p>\n',
                ))
                if (not t_2(environment.getattr(l_2_f, 'response_status'))):
                    pass
                    t_4.extend((
                        '<p>response: HTTP ',
                        escape(environment.getattr(l_2_f, 'response_status')),
                        '</p>',
                    ))
                if environment.getattr(l_2_f, 'response_excerpt'):
                    pass
                    t_4.extend((
                        '<pre>',
                        escape(environment.getattr(l_2_f, 'response_excerpt')),
                        '</pre>',
                    ))
                if environment.getattr(l_2_f, 'curl'):
                    pass
                    t_4.extend((
                        '<p>replay:</p><pre>',
                        escape(environment.getattr(l_2_f, 'curl')),
                        '</pre>',
                    ))
            l_2_f = missing
            if environment.getattr(l_1_row, 'known_deviation'):
                pass
                t_4.extend((
                    '<p class="known">known deviation: ',
                    escape(environment.getattr(l_1_row, 'known_deviation')),
                    '</p>',
                ))
            t_4.append(
                '</details>\n',
            )
        elif environment.getattr(l_1_row, 'reason'):
            pass
            t_4.extend((
                '<div class="reason">',
                escape(environment.getattr(l_1_row, 'reason')),
                '</div>\n',
            ))
        return concat(t_4)
    context.exported_vars.add('evidence')
    context.vars['evidence'] = l_0_evidence = Macro(environment, macro, 'evidence', ('row',), False, False, False, context.eval_ctx.autoescape)

blocks = {}
debug_info = '2=24&17=34&18=39&19=43&20=46&21=52&22=63&23=70&24=77&26=85&28=95'