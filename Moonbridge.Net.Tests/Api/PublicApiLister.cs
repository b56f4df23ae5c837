using System.Globalization;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text;

namespace Moonbridge.Net.Tests.Api;

/// <summary>
/// Lists the public surface of an assembly as text: one line per public or protected type and member,
/// in C# spelling with full namespaces, sorted so that the lines of a type and its members stay together.
/// The text depends only on the declarations, never on the machine, the run or the assembly version.
/// </summary>
/// <remarks>
/// Line shapes:
/// <code>
/// public sealed class Namespace.Type : Namespace.Base, Namespace.IFoo
/// public Namespace.Type.Type(int count)
/// public static Namespace.Type.Method(int count, string? name = null) -> System.Threading.Tasks.ValueTask
/// public Namespace.Type.Property { get; init; } -> string?
/// public const Namespace.Type.Limit -> int = 10
/// public event Namespace.Type.Changed -> System.EventHandler?
/// public delegate Namespace.Handler(Namespace.Context context) -> bool
/// public Namespace.Kind.Member = 1
/// </code>
/// Members the compiler writes on its own (record equality and printing, <c>value__</c>, delegate
/// <c>Invoke</c>/<c>BeginInvoke</c>/<c>EndInvoke</c>, names with <c>&lt;</c>) are left out; a record shows
/// as <c>record</c> on its type line. Protected members of sealed types are left out (nobody can reach
/// them).
/// </remarks>
internal static partial class PublicApiLister
{
    private const BindingFlags DeclaredMembers =
        BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    private const string CompilerServices = "System.Runtime.CompilerServices.";

    /// <summary>Attributes on parameters and return values that are part of the nullability contract.</summary>
    private static readonly HashSet<string> s_nullabilityAttributes = new(StringComparer.Ordinal)
    {
        "AllowNullAttribute",
        "DisallowNullAttribute",
        "MaybeNullAttribute",
        "NotNullAttribute",
        "MaybeNullWhenAttribute",
        "NotNullWhenAttribute",
        "NotNullIfNotNullAttribute",
    };

    /// <summary>The lines of <paramref name="assembly"/>'s public surface, sorted.</summary>
    public static IReadOnlyList<string> List(Assembly assembly) => List(assembly.GetTypes());

    /// <summary>The lines of the visible ones among <paramref name="types"/>, sorted.</summary>
    public static IReadOnlyList<string> List(IEnumerable<Type> types)
    {
        var entries = new List<(string Key, string Line)>();
        foreach (Type type in types)
        {
            if (IsVisible(type))
            {
                AddType(type, entries);
            }
        }

        return entries
            .OrderBy(entry => entry.Key, StringComparer.Ordinal)
            .ThenBy(entry => entry.Line, StringComparer.Ordinal)
            .Select(entry => entry.Line)
            .ToList();
    }

    private static bool IsVisible(Type type)
    {
        if (IsCompilerGenerated(type))
        {
            return false;
        }

        if (!type.IsNested)
        {
            return type.IsPublic;
        }

        Type outer = type.DeclaringType!;
        bool reachable = type.IsNestedPublic || ((type.IsNestedFamily || type.IsNestedFamORAssem) && !outer.IsSealed);
        return reachable && IsVisible(outer);
    }

    private static bool IsCompilerGenerated(MemberInfo member) =>
        member.Name.Contains('<', StringComparison.Ordinal) || member.IsDefined(typeof(CompilerGeneratedAttribute), inherit: false);

    // ---- types ----

    private static void AddType(Type type, List<(string Key, string Line)> entries)
    {
        string name = TypeDefinitionName(type);
        var context = new NullabilityInfoContext();

        if (IsDelegate(type))
        {
            MethodInfo invoke = type.GetMethod("Invoke")!;
            string line = $"{Attributes(type)}{Access(type)} delegate {name}{Parameters(invoke, context)}"
                + $" -> {ReturnType(invoke, context)}{Constraints(type.GetGenericArguments(), type)}";
            entries.Add((name, line));
            return;
        }

        entries.Add((name, $"{Attributes(type)}{Access(type)} {TypeKind(type)} {name}{Bases(type)}{Constraints(OwnGenericArguments(type), type)}"));

        if (type.IsEnum)
        {
            foreach (FieldInfo field in type.GetFields(BindingFlags.Public | BindingFlags.Static))
            {
                string value = Convert.ToString(field.GetRawConstantValue(), CultureInfo.InvariantCulture)!;
                entries.Add(($"{name}.{field.Name}", $"{Attributes(field)}public {name}.{field.Name} = {value}"));
            }

            return;
        }

        foreach (ConstructorInfo constructor in type.GetConstructors(DeclaredMembers))
        {
            if (IsVisible(constructor, type) && !IsCompilerGenerated(constructor) && !constructor.IsStatic)
            {
                string signature = $"{name}.{SimpleName(type)}{Parameters(constructor, context)}";
                entries.Add((signature, $"{Attributes(constructor)}{Access(constructor)} {signature}"));
            }
        }

        foreach (MethodInfo method in type.GetMethods(DeclaredMembers))
        {
            if (IsVisible(method, type) && (!method.IsSpecialName || IsOperator(method)) && !IsCompilerGenerated(method))
            {
                AddMethod(type, name, method, context, entries);
            }
        }

        foreach (PropertyInfo property in type.GetProperties(DeclaredMembers))
        {
            AddProperty(type, name, property, context, entries);
        }

        foreach (FieldInfo field in type.GetFields(DeclaredMembers))
        {
            if (IsVisible(field, type) && !IsCompilerGenerated(field))
            {
                AddField(name, field, context, entries);
            }
        }

        foreach (EventInfo @event in type.GetEvents(DeclaredMembers))
        {
            MethodInfo? add = @event.AddMethod;
            if (add is not null && IsVisible(add, type) && !IsCompilerGenerated(@event))
            {
                string eventType = FormatType(@event.EventHandlerType!, context.Create(@event), top: null);
                entries.Add(($"{name}.{@event.Name}", $"{Attributes(@event)}{Access(add)}{Modifiers(add, type)} event {name}.{@event.Name} -> {eventType}"));
            }
        }
    }

    private static bool IsDelegate(Type type) => type.IsSubclassOf(typeof(MulticastDelegate));

    private static bool IsOperator(MethodInfo method) =>
        method.IsSpecialName && method.IsStatic && method.Name.StartsWith("op_", StringComparison.Ordinal);

    private static string TypeKind(Type type)
    {
        if (type.IsInterface)
        {
            return "interface";
        }

        if (type.IsEnum)
        {
            return "enum";
        }

        bool record = IsRecord(type);
        if (type.IsValueType)
        {
            string prefix = (HasAttribute(type, "IsReadOnlyAttribute") ? "readonly " : "") + (type.IsByRefLike ? "ref " : "");
            return prefix + (record ? "record struct" : "struct");
        }

        string kind = record ? "record" : "class";
        if (type.IsAbstract && type.IsSealed)
        {
            return "static " + kind;
        }

        if (type.IsAbstract)
        {
            return "abstract " + kind;
        }

        return type.IsSealed ? "sealed " + kind : kind;
    }

    /// <summary>A record class has the compiler's clone method; a record struct its printing method.</summary>
    private static bool IsRecord(Type type) =>
        type.IsValueType
            ? type.GetMethod("PrintMembers", DeclaredMembers) is { } print && print.IsDefined(typeof(CompilerGeneratedAttribute), false)
            : type.GetMethod("<Clone>$", DeclaredMembers) is not null;

    private static string Bases(Type type)
    {
        var bases = new List<string>();
        if (type.IsEnum)
        {
            Type underlying = Enum.GetUnderlyingType(type);
            if (underlying != typeof(int))
            {
                bases.Add(FormatType(underlying));
            }
        }
        else
        {
            if (type.BaseType is { } baseType && baseType != typeof(object) && baseType != typeof(ValueType))
            {
                bases.Add(FormatType(baseType));
            }

            bases.AddRange(type.GetInterfaces()
                .Where(i => i.IsVisible)
                .Select(i => FormatType(i))
                .Order(StringComparer.Ordinal));
        }

        return bases.Count == 0 ? "" : " : " + string.Join(", ", bases);
    }

    private static string Access(Type type) => type switch
    {
        { IsPublic: true } or { IsNestedPublic: true } => "public",
        { IsNestedFamORAssem: true } => "protected internal",
        _ => "protected",
    };

    // ---- members ----

    private static bool IsVisible(MethodBase method, Type declaring) =>
        method.IsPublic || ((method.IsFamily || method.IsFamilyOrAssembly) && !declaring.IsSealed);

    private static bool IsVisible(FieldInfo field, Type declaring) =>
        field.IsPublic || ((field.IsFamily || field.IsFamilyOrAssembly) && !declaring.IsSealed);

    private static string Access(MethodBase method) =>
        method.IsPublic ? "public" : method.IsFamilyOrAssembly ? "protected internal" : "protected";

    private static string Access(FieldInfo field) =>
        field.IsPublic ? "public" : field.IsFamilyOrAssembly ? "protected internal" : "protected";

    /// <summary>static, abstract, virtual, override, sealed override, as C# would have them written.</summary>
    private static string Modifiers(MethodInfo method, Type declaring)
    {
        var modifiers = new StringBuilder();
        if (method.IsStatic)
        {
            modifiers.Append(" static");
        }

        if (declaring.IsInterface)
        {
            if (method.IsStatic && method.IsAbstract)
            {
                modifiers.Append(" abstract");
            }
            else if (method.IsStatic && method.IsVirtual || !method.IsStatic && !method.IsAbstract && method.IsVirtual)
            {
                modifiers.Append(" virtual");
            }

            return modifiers.ToString();
        }

        if (!method.IsVirtual)
        {
            return modifiers.ToString();
        }

        bool overrides = method.GetBaseDefinition().DeclaringType != method.DeclaringType;
        if (overrides)
        {
            modifiers.Append(method.IsFinal ? " sealed override" : " override");
        }
        else if (method.IsAbstract)
        {
            modifiers.Append(" abstract");
        }
        else if (!method.IsFinal)
        {
            // A virtual final method that overrides nothing is an implicit interface implementation:
            // an ordinary method in C#.
            modifiers.Append(" virtual");
        }

        return modifiers.ToString();
    }

    private static void AddMethod(Type type, string typeName, MethodInfo method, NullabilityInfoContext context, List<(string Key, string Line)> entries)
    {
        string genericParameters = method.IsGenericMethodDefinition
            ? "<" + string.Join(", ", method.GetGenericArguments().Select(GenericParameterName)) + ">"
            : "";
        string signature = $"{typeName}.{method.Name}{genericParameters}{Parameters(method, context)}";
        string line = $"{Attributes(method)}{Access(method)}{Modifiers(method, type)} {signature} -> {ReturnType(method, context)}"
            + Constraints(method.IsGenericMethodDefinition ? method.GetGenericArguments() : [], method);
        entries.Add((signature, line));
    }

    private static void AddProperty(Type type, string typeName, PropertyInfo property, NullabilityInfoContext context, List<(string Key, string Line)> entries)
    {
        MethodInfo? getter = property.GetMethod is { } g && IsVisible(g, type) ? g : null;
        MethodInfo? setter = property.SetMethod is { } s && IsVisible(s, type) ? s : null;
        MethodInfo? main = getter ?? setter;
        if (main is null || IsCompilerGenerated(property))
        {
            return;
        }

        string access = Access(main);
        var accessors = new StringBuilder(" {");
        if (getter is not null)
        {
            accessors.Append(Access(getter) == access ? " get;" : $" {Access(getter)} get;");
        }

        if (setter is not null)
        {
            bool init = setter.ReturnParameter.GetRequiredCustomModifiers().Contains(typeof(IsExternalInit));
            string keyword = init ? "init" : "set";
            accessors.Append(Access(setter) == access ? $" {keyword};" : $" {Access(setter)} {keyword};");
        }

        accessors.Append(" }");

        ParameterInfo[] indexParameters = property.GetIndexParameters();
        string name = indexParameters.Length == 0
            ? $"{typeName}.{property.Name}"
            : $"{typeName}.this[{string.Join(", ", indexParameters.Select(p => Parameter(p, context)))}]";

        NullabilityInfo nullability = context.Create(property);
        string propertyType = FormatType(property.PropertyType, nullability, getter is not null ? nullability.ReadState : nullability.WriteState);
        if (getter is not null && setter is not null && nullability.ReadState != nullability.WriteState)
        {
            propertyType += $" (set: {FormatType(property.PropertyType, nullability, nullability.WriteState)})";
        }

        string required = HasAttribute(property, "RequiredMemberAttribute") ? " required" : "";
        string byRef = property.PropertyType.IsByRef ? (HasAttribute(getter!.ReturnParameter, "IsReadOnlyAttribute") ? "ref readonly " : "ref ") : "";
        entries.Add((name, $"{Attributes(property)}{access}{Modifiers(main, type)}{required} {name}{accessors} -> {byRef}{propertyType}"));
    }

    private static void AddField(string typeName, FieldInfo field, NullabilityInfoContext context, List<(string Key, string Line)> entries)
    {
        string modifiers = field.IsLiteral ? " const"
            : (field.IsStatic ? " static" : "") + (field.IsInitOnly ? " readonly" : "") + (HasAttribute(field, "RequiredMemberAttribute") ? " required" : "");
        string fieldType = FormatType(field.FieldType, context.Create(field), top: null);
        string value = field.IsLiteral ? " = " + Literal(field.GetRawConstantValue(), field.FieldType) : "";
        entries.Add(($"{typeName}.{field.Name}", $"{Attributes(field)}{Access(field)}{modifiers} {typeName}.{field.Name} -> {fieldType}{value}"));
    }

    private static string Parameters(MethodBase method, NullabilityInfoContext context) =>
        "(" + string.Join(", ", method.GetParameters().Select(p => Parameter(p, context))) + ")";

    private static string Parameter(ParameterInfo parameter, NullabilityInfoContext context)
    {
        var text = new StringBuilder(NullabilityAttributes(parameter));
        Type type = parameter.ParameterType;
        if (parameter.Position == 0 && parameter.Member.IsDefined(typeof(ExtensionAttribute), false))
        {
            text.Append("this ");
        }

        if (HasAttribute(parameter, "ScopedRefAttribute"))
        {
            text.Append("scoped ");
        }

        NullabilityInfo nullability = context.Create(parameter);
        NullabilityState state = nullability.WriteState;
        if (type.IsByRef)
        {
            if (parameter.IsOut)
            {
                text.Append("out ");
                state = nullability.ReadState;
            }
            else if (HasAttribute(parameter, "RequiresLocationAttribute"))
            {
                text.Append("ref readonly ");
            }
            else
            {
                text.Append(parameter.IsIn ? "in " : "ref ");
            }
        }
        else if (parameter.IsDefined(typeof(ParamArrayAttribute), false) || HasAttribute(parameter, "ParamCollectionAttribute"))
        {
            text.Append("params ");
        }

        text.Append(FormatType(type, nullability, state)).Append(' ').Append(parameter.Name);
        if (parameter.HasDefaultValue)
        {
            text.Append(" = ").Append(Literal(parameter.RawDefaultValue, type));
        }

        return text.ToString();
    }

    private static string ReturnType(MethodInfo method, NullabilityInfoContext context)
    {
        ParameterInfo returned = method.ReturnParameter;
        NullabilityInfo nullability = context.Create(returned);
        string byRef = returned.ParameterType.IsByRef ? (HasAttribute(returned, "IsReadOnlyAttribute") ? "ref readonly " : "ref ") : "";
        return NullabilityAttributes(returned) + byRef + FormatType(returned.ParameterType, nullability, nullability.ReadState);
    }

    private static string NullabilityAttributes(ParameterInfo parameter)
    {
        var text = new StringBuilder();
        foreach (CustomAttributeData attribute in parameter.GetCustomAttributesData()
                     .Where(a => a.AttributeType.Namespace == "System.Diagnostics.CodeAnalysis" && s_nullabilityAttributes.Contains(a.AttributeType.Name))
                     .OrderBy(a => a.AttributeType.Name, StringComparer.Ordinal))
        {
            string name = attribute.AttributeType.Name[..^"Attribute".Length];
            string arguments = attribute.ConstructorArguments.Count == 0
                ? ""
                : "(" + string.Join(", ", attribute.ConstructorArguments.Select(a => Literal(a.Value, a.ArgumentType))) + ")";
            text.Append('[').Append(name).Append(arguments).Append("] ");
        }

        return text.ToString();
    }

    /// <summary>[Obsolete] and [Flags], the attributes that change how a declaration may be used.</summary>
    private static string Attributes(MemberInfo member)
    {
        var text = new StringBuilder();
        // The compiler marks some declarations obsolete for older compilers (constructors of types with
        // required members, ref structs); those marks are not part of the API.
        if (member.GetCustomAttribute<ObsoleteAttribute>(inherit: false) is { } obsolete
            && !HasAttribute(member, "CompilerFeatureRequiredAttribute")
            && obsolete.Message?.StartsWith("Types with embedded references are not supported", StringComparison.Ordinal) != true)
        {
            text.Append(obsolete.IsError ? "[Obsolete(error)] " : "[Obsolete] ");
        }

        if (member is Type { IsEnum: true } && member.IsDefined(typeof(FlagsAttribute), false))
        {
            text.Append("[Flags] ");
        }

        return text.ToString();
    }

    private static bool HasAttribute(MemberInfo member, string name) =>
        member.GetCustomAttributesData().Any(a => a.AttributeType.FullName == CompilerServices + name);

    private static bool HasAttribute(ParameterInfo parameter, string name) =>
        parameter.GetCustomAttributesData().Any(a => a.AttributeType.FullName == CompilerServices + name);
}
