# Compiled by jinja2 3.1.6 from conformance/reports/templates/compare.html.j2 (tools/report_templates.py).
# mypy: ignore-errors
from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = 'compare.html.j2'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    l_0_c = resolve('c')
    l_0_kinds = resolve('kinds')
    l_0_views = l_0_outcome = missing
    try:
        t_1 = environment.filters['join']
    except KeyError:
        @internalcode
        def t_1(*unused):
            raise TemplateRuntimeError("No filter named 'join' found.")
    try:
        t_2 = environment.filters['length']
    except KeyError:
        @internalcode
        def t_2(*unused):
            raise TemplateRuntimeError("No filter named 'length' found.")
    try:
        t_3 = environment.filters['replace']
    except KeyError:
        @internalcode
        def t_3(*unused):
            raise TemplateRuntimeError("No filter named 'replace' found.")
    pass
    l_0_views = context.vars['views'] = environment.get_template('_views.html.j2', 'compare.html.j2')._get_default_module(context)
    context.exported_vars.discard('views')
    yield '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>iam-conformance compare: '
    yield escape(environment.getattr((undefined(name='c') if l_0_c is missing else l_0_c), 'conclusion'))
    yield '</title>\n'
    yield escape(context.call(environment.getattr((undefined(name='views') if l_0_views is missing else l_0_views), 'style')))
    yield '\n</head>\n<body>\n'
    l_0_outcome = ('incomplete' if environment.getattr(environment.getattr((undefined(name='c') if l_0_c is missing else l_0_c), 'new'), 'incomplete') else ('regressed' if context.call(environment.getattr((undefined(name='c') if l_0_c is missing else l_0_c), 'of'), 'regressed') else 'fixed'))
    context.vars['outcome'] = l_0_outcome
    context.exported_vars.add('outcome')
    yield '<h1>ListSigningCertificates, OLD → NEW: <span class="'
    yield escape((undefined(name='outcome') if l_0_outcome is missing else l_0_outcome))
    yield '">'
    yield escape(environment.getattr((undefined(name='c') if l_0_c is missing else l_0_c), 'conclusion'))
    yield '</span></h1>\n<table>\n  <tr><th></th><th>target</th><th>started</th><th>verdict</th><th>gate</th><th>baseline</th><th>suite</th><th>summary</th></tr>\n'
    for (l_1_name, l_1_run) in (('OLD', environment.getattr((undefined(name='c') if l_0_c is missing else l_0_c), 'old')), ('NEW', environment.getattr((undefined(name='c') if l_0_c is missing else l_0_c), 'new'))):
        _loop_vars = {}
        pass
        yield '  <tr><th>'
        yield escape(l_1_name)
        yield '</th><td>'
        yield escape(environment.getattr(l_1_run, 'target'))
        yield '</td><td>'
        yield escape(environment.getattr(l_1_run, 'started'))
        yield '</td>\n    <td class="'
        yield escape(environment.getattr(l_1_run, 'verdict'))
        yield '">'
        yield escape(environment.getattr(l_1_run, 'verdict'))
        if environment.getattr(l_1_run, 'incomplete_reasons'):
            pass
            yield ': '
            yield escape(t_1(context.eval_ctx, environment.getattr(l_1_run, 'incomplete_reasons'), '; '))
        yield '</td>\n    <td>'
        yield escape(environment.getattr(l_1_run, 'gate'))
        yield '</td><td>'
        yield escape(environment.getattr(l_1_run, 'baseline'))
        yield '</td><td>'
        yield escape(environment.getattr(l_1_run, 'suite_version'))
        yield '</td><td><code>'
        yield escape(environment.getattr(l_1_run, 'file'))
        yield '</code></td></tr>\n'
    l_1_name = l_1_run = missing
    yield '</table>\n<p>'
    l_1_loop = missing
    for l_1_kind, l_1_loop in LoopContext((undefined(name='kinds') if l_0_kinds is missing else l_0_kinds), undefined):
        _loop_vars = {}
        pass
        yield escape(t_2(context.call(environment.getattr((undefined(name='c') if l_0_c is missing else l_0_c), 'of'), l_1_kind, _loop_vars=_loop_vars)))
        yield ' '
        yield escape(l_1_kind)
        yield escape((', ' if (not environment.getattr(l_1_loop, 'last')) else cond_expr_undefined("the inline if-expression on line 20 in 'compare.html.j2' evaluated to false and no else section was defined.")))
    l_1_loop = l_1_kind = missing
    yield ';\n  '
    yield escape(environment.getattr((undefined(name='c') if l_0_c is missing else l_0_c), 'unchanged'))
    yield ' unchanged.</p>\n\n'
    def t_4(fiter):
        for l_1_kind in fiter:
            if context.call(environment.getattr((undefined(name='c') if l_0_c is missing else l_0_c), 'of'), l_1_kind):
                yield l_1_kind
    for l_1_kind in t_4((undefined(name='kinds') if l_0_kinds is missing else l_0_kinds)):
        _loop_vars = {}
        pass
        yield '<h2 class="'
        yield escape(t_3(context.eval_ctx, l_1_kind, ' ', '-'))
        yield '">'
        yield escape(l_1_kind)
        yield ' ('
        yield escape(t_2(context.call(environment.getattr((undefined(name='c') if l_0_c is missing else l_0_c), 'of'), l_1_kind, _loop_vars=_loop_vars)))
        yield ')</h2>\n<table>\n  <tr><th>id</th><th>requirement</th><th>OLD</th><th>NEW</th><th>evidence</th></tr>\n'
        for l_2_change in context.call(environment.getattr((undefined(name='c') if l_0_c is missing else l_0_c), 'of'), l_1_kind, _loop_vars=_loop_vars):
            _loop_vars = {}
            pass
            yield '  <tr><td class="id">'
            yield escape(environment.getattr(l_2_change, 'id'))
            yield '</td><td>'
            yield escape(environment.getattr(l_2_change, 'title'))
            yield '</td>\n    <td class="'
            yield escape((environment.getattr(environment.getattr(l_2_change, 'old'), 'status') if environment.getattr(l_2_change, 'old') else 'absent'))
            yield '">'
            yield escape((environment.getattr(environment.getattr(l_2_change, 'old'), 'status') if environment.getattr(l_2_change, 'old') else 'absent'))
            yield '</td>\n    <td class="'
            yield escape((environment.getattr(environment.getattr(l_2_change, 'new'), 'status') if environment.getattr(l_2_change, 'new') else 'absent'))
            yield '">'
            yield escape((environment.getattr(environment.getattr(l_2_change, 'new'), 'status') if environment.getattr(l_2_change, 'new') else 'absent'))
            if (environment.getattr(l_2_change, 'new') and environment.getattr(environment.getattr(l_2_change, 'new'), 'known_deviation')):
                pass
                yield ' <span class="known">(known deviation)</span>'
            yield '</td>\n    <td>'
            if (environment.getattr(l_2_change, 'new') and environment.getattr(environment.getattr(l_2_change, 'new'), 'detail')):
                pass
                yield escape(context.call(environment.getattr((undefined(name='views') if l_0_views is missing else l_0_views), 'evidence'), environment.getattr(l_2_change, 'new'), _loop_vars=_loop_vars))
            elif environment.getattr(l_2_change, 'old'):
                pass
                yield escape(context.call(environment.getattr((undefined(name='views') if l_0_views is missing else l_0_views), 'evidence'), environment.getattr(l_2_change, 'old'), _loop_vars=_loop_vars))
            yield '</td></tr>\n'
        l_2_change = missing
        yield '</table>\n'
    l_1_kind = missing
    yield '</body>\n</html>'

blocks = {}
debug_info = '1=32&6=35&7=37&10=39&11=43&14=47&15=51&16=57&17=65&20=76&21=85&23=87&24=95&27=101&28=105&29=109&30=113&32=120'